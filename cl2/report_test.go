package cl2

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
	"github.com/perflab/perflab/metrics"
)

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

var t0 = time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)

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
	content, err := apiCallsPerfData(calls)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "apiresponsiveness.json", content)

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

func sampleReport() *Report {
	return &Report{
		Name: "pod-startup-latency-test", ConfigPath: "examples/cl2/pod-startup/config.yaml",
		Start: t0, Duration: 12345 * time.Millisecond,
		Steps: []StepResult{
			{Name: "[step: 01] Start [00] - PodStartupLatency", Duration: 20 * time.Millisecond},
			{Name: "[step: 02] Create pods", Duration: 10 * time.Second},
			{Name: "[step: 03] Wait [00] - WaitForRunningPods", Duration: 2 * time.Second, Err: errors.New("WaitForRunningPods: 49 of 50 desired pods running: timed out")},
		},
		Checks: []Check{
			{Name: "PodStartupLatency PodStartupLatency", Pass: false, Enforced: true, Detail: "pod_startup p99 1.2s > 1ms over 50 pods"},
			{Name: "APIResponsivenessPrometheus APIResponsiveness", Pass: false, Enforced: false, Detail: "PATCH configmaps (resource) p99 1.5s > 1s"},
			{Name: "SchedulingThroughput SchedulingThroughput", Pass: true, Detail: "max 10.0 pods/s"},
		},
		Summaries: []Summary{{Name: "PodStartupLatency_PodStartupLatency", Ext: "json", Content: []byte("{}"), Time: t0}},
	}
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "junit.xml", b.Bytes())
}

func TestSummaryGolden(t *testing.T) {
	var b bytes.Buffer
	sampleReport().PrintSummary(&b)
	checkGolden(t, "summary.txt", b.Bytes())
}

func TestWriteReportFiles(t *testing.T) {
	dir := t.TempDir()
	r := sampleReport()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	want := []string{"PodStartupLatency_PodStartupLatency_pod-startup-latency-test_2026-11-21T06:00:00Z.json", "junit.xml"}
	for _, w := range want {
		if _, err := os.Stat(filepath.Join(dir, w)); err != nil {
			t.Errorf("missing %s: %v", w, err)
		}
	}
	if len(r.Files) != 2 {
		t.Errorf("Files = %v", r.Files)
	}
}

// TestFailedRunNeverPasses: a run that failed outside its steps (no step
// ran) reports FAIL and writes a failing junit.xml.
func TestFailedRunNeverPasses(t *testing.T) {
	r := &Report{Name: "t", ConfigPath: "c.yaml", Err: errors.New("create namespace x: forbidden")}
	if !r.Failed() {
		t.Error("Failed() = false for a run with an error")
	}
	var junit, sum bytes.Buffer
	if err := r.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), "<failure") || !strings.Contains(junit.String(), "forbidden") {
		t.Errorf("junit of a failed run has no failure:\n%s", junit.String())
	}
	r.PrintSummary(&sum)
	if !strings.Contains(sum.String(), ": FAIL in") || !strings.Contains(sum.String(), "FAIL create namespace x") {
		t.Errorf("summary:\n%s", sum.String())
	}
}
