package metrics

// Delta returns what happened between two snapshots of the same endpoints:
// counters and histograms become increases (a series that went down was
// reset and counts from zero, a series absent before counts in full), gauges
// and untyped metrics keep their later value. Series absent from after are
// dropped. The result's Window is the time between the snapshots.
func Delta(before, after *Snapshot) *Snapshot {
	out := &Snapshot{
		Time:     after.Time,
		Window:   after.Time.Sub(before.Time),
		Families: make(map[string]*Family, len(after.Families)),
	}
	for name, fa := range after.Families {
		fb := before.Families[name]
		f := &Family{Name: name, Kind: fa.Kind}
		switch fa.Kind {
		case Counter:
			prev := map[string]float64{}
			if fb != nil {
				for _, s := range fb.Series {
					prev[s.Labels.String()] = s.Value
				}
			}
			for _, s := range fa.Series {
				v := s.Value
				if p, ok := prev[s.Labels.String()]; ok && p <= v {
					v -= p
				}
				f.Series = append(f.Series, Series{Labels: s.Labels, Value: v})
			}
		case Histogram:
			prev := map[string]HistogramSeries{}
			if fb != nil {
				for _, h := range fb.Histograms {
					prev[h.Labels.String()] = h
				}
			}
			for _, h := range fa.Histograms {
				p, ok := prev[h.Labels.String()]
				if !ok || wasReset(p, h) {
					f.Histograms = append(f.Histograms, h)
					continue
				}
				f.Histograms = append(f.Histograms, subtractHistogram(h, p))
			}
		default:
			f.Series = append(f.Series, fa.Series...)
		}
		out.Families[name] = f
	}
	return out
}

// wasReset reports whether the histogram went backwards between p and h.
func wasReset(p, h HistogramSeries) bool {
	if h.Count < p.Count {
		return true
	}
	pc := map[float64]float64{}
	for _, b := range p.Buckets {
		pc[b.UpperBound] = b.Count
	}
	for _, b := range h.Buckets {
		if c, ok := pc[b.UpperBound]; ok && b.Count < c {
			return true
		}
	}
	return false
}

// subtractHistogram returns h - p bucket by bucket; bounds new in h keep
// their full count.
func subtractHistogram(h, p HistogramSeries) HistogramSeries {
	pc := map[float64]float64{}
	for _, b := range p.Buckets {
		pc[b.UpperBound] = b.Count
	}
	out := HistogramSeries{Labels: h.Labels, Count: h.Count - p.Count, Sum: h.Sum - p.Sum}
	for _, b := range h.Buckets {
		out.Buckets = append(out.Buckets, Bucket{UpperBound: b.UpperBound, Count: b.Count - pc[b.UpperBound]})
	}
	return out
}
