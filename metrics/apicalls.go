package metrics

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/perflab/perflab/measure"
)

// The API call latency SLI and ClusterLoader2's default SLO thresholds.
const (
	APICallSLIMetric = "apiserver_request_sli_duration_seconds"
	// WatchListMetric is the latency of WATCH calls that stream the initial
	// list (sendInitialEvents); CL2 reports it under the verb WATCHLIST.
	WatchListMetric = "apiserver_watch_list_duration_seconds"
	// SingleResourceSLO applies to calls on one object (scope "resource"):
	// GET and every mutating verb.
	SingleResourceSLO = time.Second
	// MultipleResourceSLO applies to the other calls (LIST of a namespace
	// or of the cluster), as CL2's APIResponsiveness judges them.
	MultipleResourceSLO = 30 * time.Second
)

// excludedSubresources are long-running calls outside the SLI, as in CL2.
var excludedSubresources = map[string]bool{"log": true, "exec": true, "portforward": true, "attach": true, "proxy": true}

// APICall is the latency and count of one verb/resource/subresource/scope.
type APICall struct {
	Resource, Subresource, Verb, Scope string
	Latency                            measure.LatencyMetric
	// SlowCount is how many calls took longer than SlowBound.
	Count, SlowCount int
}

// Key identifies the call: resource|subresource|verb|scope.
func (a APICall) Key() string {
	return strings.Join([]string{a.Resource, a.Subresource, a.Verb, a.Scope}, "|")
}

func (a APICall) String() string {
	s := a.Verb + " " + a.Resource
	if a.Subresource != "" {
		s += "/" + a.Subresource
	}
	return s + " (" + a.Scope + ")"
}

// SLO is the default threshold of the call's percentiles (CL2's
// APIResponsiveness without custom thresholds).
func (a APICall) SLO() time.Duration {
	if a.Scope == "resource" {
		return SingleResourceSLO
	}
	return MultipleResourceSLO
}

// sliSeries keeps the series of the SLI that CL2 counts: no WATCH, no
// long-running subresources.
func sliSeries(l Labels) bool {
	return l["verb"] != "WATCH" && l["verb"] != "WATCHLIST" && l["verb"] != "CONNECT" && !excludedSubresources[l["subresource"]]
}

// SlowBound is the bucket bound above which a call counts as slow: 1s for
// single-object and mutating calls, 5s for namespaced lists, 30s for
// cluster-wide lists.
func SlowBound(verb, scope string) float64 {
	switch {
	case verb != "LIST":
		return 1
	case scope == "cluster":
		return 30
	}
	return 5
}

// APICallsFromDelta computes per-call latency and counts from the increase
// of the SLI histograms between two scrapes of the API server (see Delta),
// with the watch-list histogram as WATCHLIST calls (as CL2 adds them).
// Quantiles interpolate within buckets as histogram_quantile does.
func APICallsFromDelta(d *Snapshot) []APICall {
	var out []APICall
	for _, h := range d.SumHistogram(APICallSLIMetric, sliSeries, "resource", "subresource", "verb", "scope") {
		if a, ok := callOf(h, h.Labels["verb"]); ok {
			fast := 0.0
			for _, b := range h.Buckets {
				if b.UpperBound == SlowBound(a.Verb, a.Scope) {
					fast = b.Count
				}
			}
			a.SlowCount = max(a.Count-int(math.Round(fast)), 0)
			out = append(out, a)
		}
	}
	for _, h := range d.SumHistogram(WatchListMetric, nil, "resource", "scope") {
		if a, ok := callOf(h, "WATCHLIST"); ok {
			out = append(out, a)
		}
	}
	SortAPICalls(out)
	return out
}

// callOf is the call of one summed histogram; false when it saw no calls.
func callOf(h HistogramSeries, verb string) (APICall, bool) {
	count := int(math.Round(h.Count))
	if count == 0 {
		return APICall{}, false
	}
	l := h.Labels
	a := APICall{Resource: l["resource"], Subresource: l["subresource"], Verb: verb, Scope: l["scope"], Count: count}
	a.Latency = measure.LatencyMetric{P50: Seconds(h.Quantile(0.5)), P90: Seconds(h.Quantile(0.9)), P99: Seconds(h.Quantile(0.99)), Count: count}
	return a, true
}

// Seconds is f seconds as a Duration; NaN and ±Inf (no data) are 0.
func Seconds(f float64) time.Duration {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// SortAPICalls orders by p99, highest first (CL2's order), then by key.
func SortAPICalls(cs []APICall) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Latency.P99 != cs[j].Latency.P99 {
			return cs[i].Latency.P99 > cs[j].Latency.P99
		}
		return cs[i].Key() < cs[j].Key()
	})
}
