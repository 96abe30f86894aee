package measure

import (
	"math"
	"testing"
	"time"

	"github.com/perflab/perflab/metrics"
)

func hist(labels metrics.Labels, count float64, bounds ...[2]float64) metrics.HistogramSeries {
	h := metrics.HistogramSeries{Labels: labels, Count: count}
	for _, b := range bounds {
		h.Buckets = append(h.Buckets, metrics.Bucket{UpperBound: b[0], Count: b[1]})
	}
	return h
}

// sliSnapshot is a fake increase of the SLI histograms between two scrapes.
func sliSnapshot() *metrics.Snapshot {
	inf := math.Inf(1)
	l := func(verb, resource, scope string) metrics.Labels {
		return metrics.Labels{"verb": verb, "resource": resource, "scope": scope, "group": "", "version": "v1", "component": "apiserver"}
	}
	return &metrics.Snapshot{Families: map[string]*metrics.Family{sliMetric: {Name: sliMetric, Kind: metrics.Histogram, Histograms: []metrics.HistogramSeries{
		// 100 POSTs: 90 under 0.05s, 100 under 0.1s.
		hist(l("POST", "configmaps", "resource"), 100, [2]float64{0.05, 90}, [2]float64{0.1, 100}, [2]float64{1, 100}, [2]float64{inf, 100}),
		// 10 LISTs, 2 of them slower than 5s.
		hist(l("LIST", "configmaps", "namespace"), 10, [2]float64{1, 5}, [2]float64{5, 8}, [2]float64{30, 10}, [2]float64{inf, 10}),
		// 4 PATCHes, one slower than 1s.
		hist(l("PATCH", "configmaps", "resource"), 4, [2]float64{0.5, 3}, [2]float64{1, 3}, [2]float64{2, 4}, [2]float64{inf, 4}),
		hist(l("WATCH", "configmaps", "namespace"), 7, [2]float64{inf, 7}),
		hist(metrics.Labels{"verb": "GET", "resource": "pods", "subresource": "log", "scope": "resource"}, 3, [2]float64{inf, 3}),
		hist(l("DELETE", "secrets", "resource"), 0, [2]float64{inf, 0}),
	}}, watchListMetric: {Name: watchListMetric, Kind: metrics.Histogram, Histograms: []metrics.HistogramSeries{
		// 2 watch-lists of pods, both under 0.5s.
		hist(metrics.Labels{"resource": "pods", "scope": "cluster", "group": "", "version": "v1", "component": "apiserver"}, 2, [2]float64{0.5, 2}, [2]float64{inf, 2}),
	}}}}
}

func TestAPICallsFromDelta(t *testing.T) {
	calls := apiCallsFromDelta(sliSnapshot())
	if len(calls) != 4 {
		t.Fatalf("want POST, LIST and PATCH configmaps and WATCHLIST pods (WATCH, log and empty series dropped), got %v", calls)
	}
	byVerb := map[string]apiCall{}
	for _, c := range calls {
		byVerb[c.Verb] = c
	}
	if c := byVerb["LIST"]; c.Count != 10 || c.SlowCount != 2 {
		t.Errorf("LIST: count %d slow %d, want 10 and 2", c.Count, c.SlowCount)
	}
	if c := byVerb["WATCHLIST"]; c.Resource != "pods" || c.Scope != "cluster" || c.Count != 2 || c.Latency.P99 <= 0 {
		t.Errorf("WATCHLIST: %+v, want pods (cluster), 2 calls", c)
	}
	if c := byVerb["PATCH"]; c.Count != 4 || c.SlowCount != 1 {
		t.Errorf("PATCH: count %d slow %d, want 4 and 1", c.Count, c.SlowCount)
	}
	checkGoldenJSON(t, "apiresponsiveness.json", apiCallsPerfData(calls))

	// PATCH p99 interpolates in (1s, 2s]: over the 1s single-object SLO.
	o := sloOptions{single: time.Second, multiple: 30 * time.Second, custom: map[string]time.Duration{}}
	if bad := o.judge(calls); len(bad) != 1 {
		t.Errorf("default SLO: want only PATCH violating, got %v", bad)
	}
	o.allowedSlowCalls = 1
	if bad := o.judge(calls); len(bad) != 0 {
		t.Errorf("allowedSlowCalls 1: want no violation, got %v", bad)
	}
	custom, err := parseCustomThresholds("- verb: PATCH\n  resource: configmaps\n  scope: resource\n  threshold: 5s\n")
	if err != nil {
		t.Fatal(err)
	}
	o = sloOptions{single: time.Second, multiple: 30 * time.Second, custom: custom}
	if bad := o.judge(calls); len(bad) != 0 {
		t.Errorf("custom 5s PATCH threshold: want no violation, got %v", bad)
	}
	o.single = 10 * time.Millisecond
	if bad := o.judge(calls); len(bad) != 1 {
		t.Errorf("10ms single-object SLO: want POST violating, got %v", bad)
	}
}
