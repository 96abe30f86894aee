package metrics

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Labels is a label set without the metric name.
type Labels map[string]string

// String renders the labels as {a="1",b="2"} in sorted order; it doubles as
// the identity of a series.
func (l Labels) String() string {
	keys := slices.Sorted(maps.Keys(l))
	var sb strings.Builder
	sb.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(strconv.Quote(l[k]))
	}
	sb.WriteByte('}')
	return sb.String()
}

// project keeps only the named labels (all of them when by is empty).
func (l Labels) project(by []string) Labels {
	out := Labels{}
	for _, k := range by {
		if v, ok := l[k]; ok && v != "" {
			out[k] = v
		}
	}
	return out
}

// Kind is the type of a metric family as exposed.
type Kind int

// Metric family kinds kept in a Snapshot.
const (
	Counter Kind = iota
	Gauge
	Untyped
	Histogram
)

// Series is one sample of a counter, gauge or untyped metric.
type Series struct {
	Labels Labels
	Value  float64
}

// HistogramSeries is one classic histogram: cumulative buckets (always ending
// with +Inf), the observation count and their sum.
type HistogramSeries struct {
	Labels  Labels
	Buckets []Bucket
	Count   float64
	Sum     float64
}

// Quantile is HistogramQuantile over the series' buckets.
func (h HistogramSeries) Quantile(q float64) float64 { return HistogramQuantile(q, h.Buckets) }

// Family is every series of one metric name.
type Family struct {
	Name       string
	Kind       Kind
	Series     []Series          // counters, gauges, untyped
	Histograms []HistogramSeries // histograms
}

// Snapshot is the content of one or more /metrics endpoints at one time, or
// the difference between two such (see Delta).
type Snapshot struct {
	// Time is when the scrape finished; for a Delta, the later snapshot's time.
	Time time.Time
	// Window is zero for a scrape and after.Time-before.Time for a Delta.
	Window   time.Duration
	Families map[string]*Family
}

// NewSnapshot converts parsed metric families. Summaries are dropped; series
// of the same name from several endpoints are kept side by side (add an
// "instance" label before merging if they could collide).
func NewSnapshot(t time.Time, fams map[string]*dto.MetricFamily) *Snapshot {
	s := &Snapshot{Time: t, Families: make(map[string]*Family, len(fams))}
	s.add(fams, nil)
	return s
}

// add merges families into s, adding extra labels to every series.
func (s *Snapshot) add(fams map[string]*dto.MetricFamily, extra Labels) {
	for name, mf := range fams {
		kind, ok := kindOf(mf.GetType())
		if !ok {
			continue
		}
		f := s.Families[name]
		if f == nil {
			f = &Family{Name: name, Kind: kind}
			s.Families[name] = f
		}
		for _, m := range mf.GetMetric() {
			labels := make(Labels, len(m.GetLabel())+len(extra))
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			maps.Copy(labels, extra)
			switch kind {
			case Histogram:
				f.Histograms = append(f.Histograms, histogramOf(labels, m.GetHistogram()))
			default:
				f.Series = append(f.Series, Series{Labels: labels, Value: valueOf(m)})
			}
		}
	}
}

func kindOf(t dto.MetricType) (Kind, bool) {
	switch t {
	case dto.MetricType_COUNTER:
		return Counter, true
	case dto.MetricType_GAUGE:
		return Gauge, true
	case dto.MetricType_UNTYPED:
		return Untyped, true
	case dto.MetricType_HISTOGRAM:
		return Histogram, true
	}
	return 0, false
}

func valueOf(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return math.NaN()
}

// histogramOf converts a dto histogram; the +Inf bucket is added from the
// sample count when the exposition left it out (as protobuf does).
func histogramOf(labels Labels, h *dto.Histogram) HistogramSeries {
	count := float64(h.GetSampleCount())
	if h.SampleCountFloat != nil {
		count = h.GetSampleCountFloat()
	}
	hs := HistogramSeries{Labels: labels, Count: count, Sum: h.GetSampleSum()}
	hasInf := false
	for _, b := range h.GetBucket() {
		c := float64(b.GetCumulativeCount())
		if b.CumulativeCountFloat != nil {
			c = b.GetCumulativeCountFloat()
		}
		hasInf = hasInf || math.IsInf(b.GetUpperBound(), +1)
		hs.Buckets = append(hs.Buckets, Bucket{UpperBound: b.GetUpperBound(), Count: c})
	}
	if !hasInf {
		hs.Buckets = append(hs.Buckets, Bucket{UpperBound: math.Inf(+1), Count: count})
	}
	return hs
}

// Sum adds up the series of a counter, gauge or untyped metric grouped by the
// given labels, like PromQL's sum by (...). Series whose labels fail match
// are skipped; a nil match keeps all. The result is sorted by labels.
func (s *Snapshot) Sum(name string, match func(Labels) bool, by ...string) []Series {
	f := s.Families[name]
	if f == nil {
		return nil
	}
	groups := map[string]*Series{}
	for _, se := range f.Series {
		if match != nil && !match(se.Labels) {
			continue
		}
		key := se.Labels.project(by)
		g := groups[key.String()]
		if g == nil {
			g = &Series{Labels: key}
			groups[key.String()] = g
		}
		g.Value += se.Value
	}
	out := make([]Series, 0, len(groups))
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		out = append(out, *groups[k])
	}
	return out
}

// SumHistogram adds up histogram series grouped by the given labels (bucket by
// bucket, as sum by (le, ...) does before histogram_quantile).
func (s *Snapshot) SumHistogram(name string, match func(Labels) bool, by ...string) []HistogramSeries {
	f := s.Families[name]
	if f == nil {
		return nil
	}
	groups := map[string]*HistogramSeries{}
	for _, h := range f.Histograms {
		if match != nil && !match(h.Labels) {
			continue
		}
		key := h.Labels.project(by)
		g := groups[key.String()]
		if g == nil {
			g = &HistogramSeries{Labels: key}
			groups[key.String()] = g
		}
		g.Count += h.Count
		g.Sum += h.Sum
		g.Buckets = addBuckets(g.Buckets, h.Buckets)
	}
	out := make([]HistogramSeries, 0, len(groups))
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		out = append(out, *groups[k])
	}
	return out
}

// addBuckets adds b into acc bucket by bucket, matching upper bounds; bounds
// present in only one side are kept as they are, as separate le series would
// be in Prometheus.
func addBuckets(acc, b []Bucket) []Bucket {
	byBound := make(map[float64]float64, len(acc)+len(b))
	for _, x := range acc {
		byBound[x.UpperBound] += x.Count
	}
	for _, x := range b {
		byBound[x.UpperBound] += x.Count
	}
	out := make([]Bucket, 0, len(byBound))
	for ub, c := range byBound {
		out = append(out, Bucket{UpperBound: ub, Count: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpperBound < out[j].UpperBound })
	return out
}
