package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/netperf"
)

var latencyQuantiles = []struct {
	name string
	q    float64
}{{"P50", 0.50}, {"P95", 0.95}, {"P99", 0.99}}

// jobNames are the jobs present on every run of both sides.
func jobNames(runs []*Run) []string {
	count := map[string]int{}
	for _, r := range runs {
		seen := map[string]bool{}
		for _, j := range r.Jobs {
			seen[j.JobConfig.Name] = true
		}
		for k := range r.Pods {
			seen[k] = true
		}
		for k := range seen {
			count[k]++
		}
	}
	var out []string
	for k, n := range count {
		if n == len(runs) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func jobSummaryOf(r *Run, job string) (JobSummary, bool) {
	for _, j := range r.Jobs {
		if j.JobConfig.Name == job {
			return j, true
		}
	}
	return JobSummary{}, false
}

// perRun collects one value per run; ok=false when a run lacks it.
func perRun(runs []*Run, v func(*Run) (float64, bool)) ([]float64, bool) {
	out := make([]float64, 0, len(runs))
	for _, r := range runs {
		x, ok := v(r)
		if !ok {
			return nil, false
		}
		out = append(out, x)
	}
	return out, true
}

func (j *judge) kubeBurner(base, cand []*Run) []Figure {
	var figs []Figure
	for _, job := range jobNames(append(append([]*Run{}, base...), cand...)) {
		summary := func(get func(JobSummary) float64) func(*Run) (float64, bool) {
			return func(r *Run) (float64, bool) {
				s, ok := jobSummaryOf(r, job)
				return get(s), ok
			}
		}
		if b, ok := perRun(base, summary(JobSummary.Seconds)); ok {
			c, ok := perRun(cand, summary(JobSummary.Seconds))
			if ok {
				figs = append(figs, j.figure(job+" job duration", "s", true, sides{base: b, cand: c}))
			}
		}
		if b, ok := perRun(base, summary(func(s JobSummary) float64 { return s.AchievedQps })); ok {
			c, ok := perRun(cand, summary(func(s JobSummary) float64 { return s.AchievedQps }))
			if ok {
				figs = append(figs, j.figure(job+" objects/s", "1/s", false, sides{base: b, cand: c}))
			}
		}
		figs = append(figs, j.podLatency(job, base, cand)...)
	}
	figs = append(figs, j.metricSeries(base, cand)...)
	return append(figs, j.apiFigures(base, cand)...)
}

// apiLatencyFigures are the API server figures compare judges: latencies
// per verb or operation, and the error rate; request rates say how much
// work was done, not how well.
var apiLatencyFigures = []string{"apiserverP90LatencyByVerb", "etcdP99LatencyByOperation", "apiserverErrorRateByCode"}

// apiFigures compares the API server figures of runs that have them (one
// value per run: tolerance alone, or Welch with repeated runs). WATCH and
// CONNECT are long-running requests, so their latency is left out, as
// ClusterLoader2 leaves it out of its API SLO.
func (j *judge) apiFigures(base, cand []*Run) []Figure {
	all := append(append([]*Run{}, base...), cand...)
	if slices.ContainsFunc(all, func(r *Run) bool { return r.Figures == nil }) {
		return nil
	}
	value := func(r *Run, metric, key string) (float64, bool) {
		for _, f := range r.Figures.Figures {
			if f.MetricName != metric {
				continue
			}
			for _, s := range f.Series {
				if labelKey(s.Labels) == key {
					return s.Value, true
				}
			}
		}
		return 0, false
	}
	var figs []Figure
	for _, f := range base[0].Figures.Figures {
		if !slices.Contains(apiLatencyFigures, f.MetricName) {
			continue
		}
		for _, s := range f.Series {
			if v := s.Labels["verb"]; v == "WATCH" || v == "CONNECT" {
				continue
			}
			key := labelKey(s.Labels)
			get := func(r *Run) (float64, bool) { return value(r, f.MetricName, key) }
			b, ok1 := perRun(base, get)
			c, ok2 := perRun(cand, get)
			if ok1 && ok2 {
				figs = append(figs, j.figure(fmt.Sprintf("%s {%s}", f.MetricName, key), f.Unit, true, sides{base: b, cand: c}))
			}
		}
	}
	return figs
}

func (j *judge) podLatency(job string, base, cand []*Run) []Figure {
	var figs []Figure
	pooled := func(runs []*Run, of func(measure.PodLatency) int) ([]float64, [][]float64) {
		var all []float64
		var each [][]float64
		for _, r := range runs {
			v := podValues(r.Pods[job], of)
			all = append(all, v...)
			each = append(each, v)
		}
		return all, each
	}
	for _, c := range conditionLatency {
		bAll, bEach := pooled(base, c.of)
		cAll, cEach := pooled(cand, c.of)
		if slices.ContainsFunc(bEach, isEmpty) || slices.ContainsFunc(cEach, isEmpty) {
			continue
		}
		for _, q := range latencyQuantiles {
			s := sides{base: quantiles(bEach, q.q), cand: quantiles(cEach, q.q), baseSam: bAll, candSam: cAll, quantile: q.q}
			f := j.figure(fmt.Sprintf("%s %s %s", job, c.name, q.name), "ms", true, s)
			if len(base) == 1 && len(cand) == 1 { // the pooled quantile is the run's own
				f.Baseline, f.Candidate = measure.Quantile(sortedCopy(bAll), q.q), measure.Quantile(sortedCopy(cAll), q.q)
				f.ChangePct = change(f.Baseline, f.Candidate)
				f.Verdict = verdict(f, j.o.Tolerance)
			}
			figs = append(figs, f)
		}
	}
	return figs
}

func isEmpty(v []float64) bool { return len(v) == 0 }

func quantiles(each [][]float64, q float64) []float64 {
	out := make([]float64, len(each))
	for i, v := range each {
		out[i] = measure.Quantile(sortedCopy(v), q)
	}
	return out
}

// metricSeries compares kube-burner metric documents: each label set's
// samples over the run are the per-interval data (Mann–Whitney U); only the
// series the page charts (the highest peaks) are compared.
func (j *judge) metricSeries(base, cand []*Run) []Figure {
	var figs []Figure
	for _, name := range slices.Sorted(maps.Keys(base[0].Series)) {
		for _, k := range topSeries(base[0].Series[name]) {
			samples := func(r *Run) []float64 {
				var v []float64
				for _, d := range r.Series[name] {
					if labelKey(d.Labels) == k {
						v = append(v, d.Value)
					}
				}
				return v
			}
			var bEach, cEach [][]float64
			var bAll, cAll []float64
			for _, r := range base {
				bEach = append(bEach, samples(r))
				bAll = append(bAll, bEach[len(bEach)-1]...)
			}
			for _, r := range cand {
				cEach = append(cEach, samples(r))
				cAll = append(cAll, cEach[len(cEach)-1]...)
			}
			if slices.ContainsFunc(bEach, isEmpty) || slices.ContainsFunc(cEach, isEmpty) {
				continue
			}
			means := func(each [][]float64) []float64 {
				out := make([]float64, len(each))
				for i, v := range each {
					out[i] = mean(v)
				}
				return out
			}
			figs = append(figs, j.figure(fmt.Sprintf("%s {%s} mean", name, k), "", true,
				sides{base: means(bEach), cand: means(cEach), baseSam: bAll, candSam: cAll}))
		}
	}
	return figs
}

// topSeries are the label sets of the maxSeries highest peaks (the ones the
// page charts), sorted by label.
func topSeries(docs []metrics.Document) []string {
	peak := map[string]float64{}
	for _, d := range docs {
		k := labelKey(d.Labels)
		peak[k] = max(peak[k], d.Value)
	}
	keys := slices.Sorted(maps.Keys(peak))
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(peak[b], peak[a]) })
	keys = keys[:min(len(keys), maxSeries)]
	slices.Sort(keys)
	return keys
}

// perfdash compares every data item value present on all runs (CL2
// measurements, or netperf's perfdash file): single values per run.
func (j *judge) perfdash(base, cand []*Run) []Figure {
	type key struct{ summary, item, data string }
	collect := func(r *Run) (map[key]float64, map[key]string) {
		m, units := map[key]float64{}, map[key]string{}
		for _, f := range r.Perfdash {
			for _, it := range f.Data.DataItems {
				for d, v := range it.Data {
					k := key{f.Summary, itemName(it.Labels), d}
					m[k], units[k] = v, it.Unit
				}
			}
		}
		return m, units
	}
	first, units := collect(base[0])
	all := make([]map[key]float64, 0, len(base)+len(cand))
	for _, r := range append(append([]*Run{}, base...), cand...) {
		m, _ := collect(r)
		all = append(all, m)
	}
	keys := slices.SortedFunc(maps.Keys(first), func(a, b key) int {
		return cmp.Compare(a.summary+"\x00"+a.item+"\x00"+a.data, b.summary+"\x00"+b.item+"\x00"+b.data)
	})
	var figs []Figure
	for _, k := range keys {
		vals := make([]float64, 0, len(all))
		for _, m := range all {
			v, ok := m[k]
			if !ok {
				break
			}
			vals = append(vals, v)
		}
		if len(vals) < len(all) || k.data == "Count" || k.data == "SlowCount" {
			continue
		}
		lower := !higherIsBetter(k.data, units[k])
		figs = append(figs, j.figure(fmt.Sprintf("%s %s %s", k.summary, k.item, k.data), units[k], lower,
			sides{base: vals[:len(base)], cand: vals[len(base):]}))
	}
	return figs
}

// higherIsBetter: rates and throughputs; latencies, counts of problems and
// CPU cost are better lower.
func higherIsBetter(data, unit string) bool {
	switch data {
	case "Throughput", "Sender", "Rate", "Average", "Max":
		return unit == "Mbit/s" || unit == "op/s" || unit == "1/s" || unit == "pods/s"
	}
	return false
}

// netperf compares throughput and transaction rate with the per-sample
// values (Mann–Whitney U needs ≥2 samples per side; Welch with repeated
// runs) and latency quantiles and CPU per Gbit by tolerance.
func (j *judge) netperf(base, cand []*Run) []Figure {
	if len(base[0].Netperf) == 0 {
		return j.perfdash(base, cand)
	}
	find := func(r *Run, name, big string) (netperf.Result, bool) {
		for _, n := range r.Netperf {
			if netperfName(n) == name && n.BigTCP == big {
				return n, true
			}
		}
		return netperf.Result{}, false
	}
	var figs []Figure
	for _, n0 := range base[0].Netperf {
		name, big := netperfName(n0), n0.BigTCP
		label := name
		if big != "" {
			label += " BIG TCP " + big
		}
		get := func(v func(netperf.Result) float64) func(*Run) (float64, bool) {
			return func(r *Run) (float64, bool) {
				n, ok := find(r, name, big)
				return v(n), ok
			}
		}
		samples := func(runs []*Run) []float64 {
			var out []float64
			for _, r := range runs {
				if n, ok := find(r, name, big); ok {
					out = append(out, n.SampleValues...)
				}
			}
			return out
		}
		add := func(what, unit string, lower bool, v func(netperf.Result) float64, withSamples bool) {
			b, ok1 := perRun(base, get(v))
			c, ok2 := perRun(cand, get(v))
			if !ok1 || !ok2 || (mean(b) == 0 && mean(c) == 0) {
				return
			}
			s := sides{base: b, cand: c}
			if withSamples {
				s.baseSam, s.candSam = samples(base), samples(cand)
			}
			figs = append(figs, j.figure(label+" "+what, unit, lower, s))
		}
		if isLatencyTest(n0) {
			add("transactions/s", "1/s", false, func(n netperf.Result) float64 { return n.TransactionsPerSecond }, true)
			add("P50", "µs", true, func(n netperf.Result) float64 { return n.LatencyP50Us }, false)
			add("P90", "µs", true, func(n netperf.Result) float64 { return n.LatencyP90Us }, false)
			add("P99", "µs", true, func(n netperf.Result) float64 { return n.LatencyP99Us }, false)
			continue
		}
		add("throughput", "Gbit/s", false, func(n netperf.Result) float64 { return n.ThroughputBps / 1e9 }, true)
		add("CPU s/Gbit", "s/Gbit", true, func(n netperf.Result) float64 { return n.CPUSecondsPerGbit }, false)
	}
	return figs
}
