package clusterbench

import (
	"fmt"
	"time"

	"github.com/perflab/perflab/measure"
)

// Result is one size's figures.
type Result struct {
	Nodes int `json:"nodes"`
	Pods  int `json:"pods"`
	// APIReady and NodesReady count from the cluster's start.
	APIReady   time.Duration `json:"apiReadyNs"`
	NodesReady time.Duration `json:"nodesReadyNs"`
	// IdleRSSBytes is the process's RSS once every node is Ready.
	IdleRSSBytes int64 `json:"idleRssBytes"`
	// PodsReady is Deployment created → all replicas Ready.
	PodsReady     time.Duration `json:"podsReadyNs"`
	PodsPerSecond float64       `json:"podsPerSecond"`
	// SchedulingPerSec is pods bound per second between the first and the
	// last binding the bench's pod watch saw (millisecond resolution).
	SchedulingPerSec float64 `json:"schedulingPodsPerSecond"`
	LoadedRSSBytes   int64   `json:"loadedRssBytes"`
	PeakRSSBytes     int64   `json:"peakRssBytes"`
	// APICalls are the API server's SLI latencies during the load phase
	// (Deployment created → all Ready), slowest p99 first.
	APICalls []APICall `json:"apiCalls"`
	// Scheduler is the scheduler's own metrics over the load phase.
	Scheduler Scheduler `json:"scheduler"`
	// Timeline is the pod counts and RSS once a second during the load.
	Timeline []Sample `json:"timeline,omitempty"`
	// Profiles are the pprof files written with --profile.
	Profiles []string `json:"profiles,omitempty"`
}

// PeakKiBPerPod is the peak RSS (nodes included) divided by the pods.
func (r Result) PeakKiBPerPod() float64 {
	if r.Pods == 0 {
		return 0
	}
	return float64(r.PeakRSSBytes) / 1024 / float64(r.Pods)
}

// GrowthKiBPerPod is what each pod added to the RSS: (peak − idle) / pods.
func (r Result) GrowthKiBPerPod() float64 {
	if r.Pods == 0 {
		return 0
	}
	return float64(r.PeakRSSBytes-r.IdleRSSBytes) / 1024 / float64(r.Pods)
}

// Size is "NODESxPODS".
func (r Result) Size() string { return Size{r.Nodes, r.Pods}.String() }

// WorstSingleObjectP99 is the highest p99 of the calls on one object (the
// 1 s SLO), and that call; zero without such calls.
func (r Result) WorstSingleObjectP99() (time.Duration, string) {
	var worst time.Duration
	var name string
	for _, c := range r.APICalls {
		if c.Scope == "resource" && c.P99 > worst {
			worst, name = c.P99, c.Name()
		}
	}
	return worst, name
}

// SLOViolations counts the calls whose p99 exceeds their SLO.
func (r Result) SLOViolations() int {
	n := 0
	for _, c := range r.APICalls {
		if !c.Pass {
			n++
		}
	}
	return n
}

// APICall is one verb/resource/subresource/scope's latency during the load.
type APICall struct {
	Verb        string        `json:"verb"`
	Resource    string        `json:"resource"`
	Subresource string        `json:"subresource,omitempty"`
	Scope       string        `json:"scope"`
	Count       int           `json:"count"`
	SlowCount   int           `json:"slowCount"` // calls over the SLO's bucket bound
	P50         time.Duration `json:"p50Ns"`
	P90         time.Duration `json:"p90Ns"`
	P99         time.Duration `json:"p99Ns"`
	SLO         time.Duration `json:"sloNs"`
	Pass        bool          `json:"pass"` // p50, p90 and p99 within SLO
}

// Name is "VERB resource[/subresource] (scope)".
func (c APICall) Name() string {
	s := c.Verb + " " + c.Resource
	if c.Subresource != "" {
		s += "/" + c.Subresource
	}
	return s + " (" + c.Scope + ")"
}

// APICallsOf converts the API server's per-call figures and judges each
// against its default SLO (CL2's APIResponsiveness thresholds).
func APICallsOf(calls []measure.APICall) []APICall {
	out := make([]APICall, 0, len(calls))
	for _, a := range calls {
		slo := a.SLO()
		out = append(out, APICall{
			Verb: a.Verb, Resource: a.Resource, Subresource: a.Subresource, Scope: a.Scope,
			Count: a.Count, SlowCount: a.SlowCount,
			P50: a.Latency.P50, P90: a.Latency.P90, P99: a.Latency.P99,
			SLO: slo, Pass: a.Latency.Exceeds(slo, slo, slo) == "",
		})
	}
	return out
}

// Sample is the load phase at one moment.
type Sample struct {
	Elapsed   time.Duration `json:"elapsedNs"` // since the Deployment was created
	Created   int           `json:"created"`
	Scheduled int           `json:"scheduled"`
	Ready     int           `json:"ready"`
	RSSBytes  int64         `json:"rssBytes"`
}

// Check reports what is inconsistent in r: a figure that is not positive,
// a rate that is not pods over duration, RSS out of order. It guards the
// bench's own arithmetic (the test runs it on a real run).
func (r Result) Check() []string {
	var bad []string
	positive := map[string]float64{
		"nodes": float64(r.Nodes), "pods": float64(r.Pods), "API ready": r.APIReady.Seconds(), "nodes Ready": r.NodesReady.Seconds(),
		"idle RSS": float64(r.IdleRSSBytes), "pods Ready": r.PodsReady.Seconds(), "pods/s": r.PodsPerSecond,
		"scheduling pods/s": r.SchedulingPerSec, "loaded RSS": float64(r.LoadedRSSBytes), "peak RSS": float64(r.PeakRSSBytes),
	}
	for _, name := range []string{"nodes", "pods", "API ready", "nodes Ready", "idle RSS", "pods Ready", "pods/s", "scheduling pods/s", "loaded RSS", "peak RSS"} {
		if !(positive[name] > 0) {
			bad = append(bad, fmt.Sprintf("%s is %v, want > 0", name, positive[name]))
		}
	}
	if want := float64(r.Pods) / r.PodsReady.Seconds(); r.PodsReady > 0 && !near(r.PodsPerSecond, want) {
		bad = append(bad, fmt.Sprintf("pods/s %.3f, but %d pods / %s = %.3f", r.PodsPerSecond, r.Pods, r.PodsReady, want))
	}
	if r.NodesReady < r.APIReady {
		bad = append(bad, fmt.Sprintf("nodes Ready (%s) before API ready (%s)", r.NodesReady, r.APIReady))
	}
	if r.PeakRSSBytes < r.LoadedRSSBytes || r.PeakRSSBytes < r.IdleRSSBytes {
		bad = append(bad, fmt.Sprintf("peak RSS %d below idle %d or loaded %d", r.PeakRSSBytes, r.IdleRSSBytes, r.LoadedRSSBytes))
	}
	for _, c := range r.APICalls {
		if c.Count <= 0 || c.P50 > c.P90 || c.P90 > c.P99 || c.SlowCount > c.Count {
			bad = append(bad, fmt.Sprintf("API call %s: count %d (%d slow), p50 %s p90 %s p99 %s", c.Name(), c.Count, c.SlowCount, c.P50, c.P90, c.P99))
		}
	}
	if r.Scheduler.Scheduled != 0 && r.Scheduler.Scheduled < r.Pods {
		bad = append(bad, fmt.Sprintf("the scheduler counted %d pods scheduled, fewer than the %d pods", r.Scheduler.Scheduled, r.Pods))
	}
	if n := len(r.Timeline); n > 0 && r.Timeline[n-1].Ready != r.Pods {
		bad = append(bad, fmt.Sprintf("timeline ends at %d Ready, want %d", r.Timeline[n-1].Ready, r.Pods))
	}
	return bad
}

func near(a, b float64) bool { return a == b || (a-b) < 1e-9*b && (b-a) < 1e-9*b }
