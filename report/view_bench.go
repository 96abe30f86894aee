package report

import (
	"fmt"
	"math"

	"github.com/perflab/perflab/clusterbench"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/results"
)

// benchCalls are the API calls charted against size besides the slowest
// single-object call: the pod's create, bind and status writes.
var benchCalls = []string{"POST pods (resource)", "POST pods/binding (resource)", "PATCH pods/status (resource)"}

// benchSections lay out `perflab cluster bench` results: the sizes table,
// how each figure grows with size, and each size's load phase (pod counts
// over time and API call latency against its SLO).
func benchSections(f clusterbench.File, id string) []Section {
	rs := f.Results
	sizes := tableOf(clusterbench.SizesTable(rs))
	sizes.Title = ""
	for _, r := range rs {
		sizes.Status = append(sizes.Status, verdictStatus(r.SLOViolations() == 0))
	}
	note := "Each size ran in a fresh process with its own embedded cluster; RSS is the whole process (control plane, hollow nodes, bench)."
	if f.Command != "" {
		note = f.Command + ". " + note
	}
	out := []Section{{Title: "Sizes", Note: note, Tables: []Table{sizes}}}
	if len(rs) > 0 {
		out = append(out, growthSection(rs, id))
	}
	for i, r := range rs {
		out = append(out, loadSection(r, fmt.Sprintf("%s-load-%d", id, i)))
	}
	return out
}

func growthSection(rs []clusterbench.Result, id string) Section {
	bars := func(cid, title, unit string, series map[string]func(clusterbench.Result) float64, order ...string) Chart {
		c := Chart{ID: cid, Title: title, Kind: ChartBars, XLabel: "nodes x pods", YLabel: unit}
		for i, r := range rs {
			c.Categories = append(c.Categories, r.Size())
			c.X = append(c.X, float64(i))
		}
		for _, name := range order {
			v := make(Values, len(rs))
			for i, r := range rs {
				v[i] = series[name](r)
			}
			c.Series = append(c.Series, Series{Label: name, Values: v})
		}
		return c
	}
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	p99 := func(name string) func(clusterbench.Result) float64 {
		return func(r clusterbench.Result) float64 {
			for _, c := range r.APICalls {
				if c.Name() == name {
					return measure.Millis(c.P99)
				}
			}
			return math.NaN()
		}
	}
	api := map[string]func(clusterbench.Result) float64{"slowest single-object call": func(r clusterbench.Result) float64 {
		d, name := r.WorstSingleObjectP99()
		if name == "" {
			return math.NaN()
		}
		return measure.Millis(d)
	}}
	for _, n := range benchCalls {
		api[n] = p99(n)
	}
	return Section{Title: "Growth with size", Note: "API p99 is the API server's SLI histogram over the load phase; the SLO for single-object calls is 1 s (1000 ms).", Charts: []Chart{
		bars(id+"-throughput", "Pod throughput", "pods/s", map[string]func(clusterbench.Result) float64{
			"created → Ready": func(r clusterbench.Result) float64 { return r.PodsPerSecond },
			"scheduling":      func(r clusterbench.Result) float64 { return r.SchedulingPerSec },
		}, "created → Ready", "scheduling"),
		bars(id+"-rss", "Process RSS", "MiB", map[string]func(clusterbench.Result) float64{
			"idle (nodes Ready)": func(r clusterbench.Result) float64 { return mib(r.IdleRSSBytes) },
			"loaded":             func(r clusterbench.Result) float64 { return mib(r.LoadedRSSBytes) },
			"peak":               func(r clusterbench.Result) float64 { return mib(r.PeakRSSBytes) },
		}, "idle (nodes Ready)", "loaded", "peak"),
		bars(id+"-kib-per-pod", "RSS per pod", "KiB/pod", map[string]func(clusterbench.Result) float64{
			"peak RSS / pods (nodes included)": func(r clusterbench.Result) float64 { return r.PeakKiBPerPod() },
			"(peak − idle) / pods":             func(r clusterbench.Result) float64 { return r.GrowthKiBPerPod() },
		}, "peak RSS / pods (nodes included)", "(peak − idle) / pods"),
		bars(id+"-startup", "Start-up", "s", map[string]func(clusterbench.Result) float64{
			"start → API ready":   func(r clusterbench.Result) float64 { return r.APIReady.Seconds() },
			"start → nodes Ready": func(r clusterbench.Result) float64 { return r.NodesReady.Seconds() },
		}, "start → API ready", "start → nodes Ready"),
		bars(id+"-api-p99", "API call latency p99 during the load", "ms", api, append([]string{"slowest single-object call"}, benchCalls...)...),
	}}
}

// loadSection is one size's load phase: pod counts over time and the API
// call table with each call's SLO verdict.
func loadSection(r clusterbench.Result, id string) Section {
	s := Section{Title: "Load phase, " + r.Size(), Note: fmt.Sprintf("%d pods Ready in %s (%.1f pods/s); %d of %d API calls over their SLO.",
		r.Pods, clusterbench.Round(r.PodsReady), r.PodsPerSecond, r.SLOViolations(), len(r.APICalls))}
	if len(r.Timeline) > 0 {
		c := Chart{ID: id, Title: "Pods over time", Kind: ChartLine, XLabel: "seconds since the Deployment was created", YLabel: "pods"}
		created, scheduled, ready := make(Values, len(r.Timeline)), make(Values, len(r.Timeline)), make(Values, len(r.Timeline))
		for i, sm := range r.Timeline {
			c.X = append(c.X, sm.Elapsed.Seconds())
			created[i], scheduled[i], ready[i] = float64(sm.Created), float64(sm.Scheduled), float64(sm.Ready)
		}
		c.Series = []Series{{Label: "created", Values: created}, {Label: "scheduled", Values: scheduled}, {Label: "Ready", Values: ready}}
		s.Charts = append(s.Charts, c)
	}
	t := tableOf(clusterbench.APICallsTable(r))
	for _, c := range r.APICalls {
		t.Status = append(t.Status, verdictStatus(c.Pass))
	}
	s.Tables = append(s.Tables, t)
	return s
}

func verdictStatus(pass bool) string {
	if pass {
		return "pass"
	}
	return "fail"
}

func tableOf(t *results.Table) Table {
	return Table{Title: t.Title, Header: t.Header, Rows: t.Rows}
}
