package clusterbench

import (
	"fmt"
	"time"

	"github.com/perflab/perflab/results"
)

// SizesTable is one row per size.
func SizesTable(rs []Result) *results.Table {
	t := &results.Table{
		Title: "perflab cluster bench",
		Header: []string{"size", "API ready", "nodes Ready", "idle RSS MiB", "all pods Ready", "pods/s", "scheduling pods/s", "scheduling attempt p99",
			"peak RSS MiB", "KiB/pod", "growth KiB/pod", "worst 1-object p99", "SLO violations"},
	}
	for _, r := range rs {
		p99, call := r.WorstSingleObjectP99()
		worst := "-"
		if call != "" {
			worst = fmt.Sprintf("%s %s", Round(p99), call)
		}
		t.Add(r.Size(), Round(r.APIReady), Round(r.NodesReady), r.IdleRSSBytes>>20, Round(r.PodsReady),
			fmt.Sprintf("%.1f", r.PodsPerSecond), fmt.Sprintf("%.1f", r.SchedulingPerSec), Round(r.Scheduler.AttemptP99),
			r.PeakRSSBytes>>20, fmt.Sprintf("%.1f", r.PeakKiBPerPod()), fmt.Sprintf("%.1f", r.GrowthKiBPerPod()), worst, r.SLOViolations())
	}
	return t
}

// APICallsTable is one size's API calls during the load, slowest p99 first.
func APICallsTable(r Result) *results.Table {
	t := &results.Table{
		Title:  fmt.Sprintf("API call latency during the load phase, %s (apiserver_request_sli_duration_seconds)", r.Size()),
		Header: []string{"call", "count", "slow", "p50", "p90", "p99", "SLO", "verdict"},
	}
	for _, c := range r.APICalls {
		t.Add(c.Name(), c.Count, c.SlowCount, Round(c.P50), Round(c.P90), Round(c.P99), c.SLO, Verdict(c))
	}
	return t
}

// Verdict is "pass" or "fail" (p50, p90 or p99 above the SLO).
func Verdict(c APICall) string {
	if c.Pass {
		return "pass"
	}
	return "fail"
}

// Round keeps three significant-ish digits of a duration for tables.
func Round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
