package measure

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/results"
)

// The API call latency SLI and CL2's SLO thresholds.
const (
	sliMetric = "apiserver_request_sli_duration_seconds"
	// watchListMetric is the latency of WATCH calls that stream the initial
	// list (sendInitialEvents); CL2 reports it under the verb WATCHLIST.
	watchListMetric            = "apiserver_watch_list_duration_seconds"
	defaultSingleResourceSLO   = time.Second
	defaultMultipleResourceSLO = 30 * time.Second
)

// excludedSubresources are long-running calls outside the SLI, as in CL2.
var excludedSubresources = map[string]bool{"log": true, "exec": true, "portforward": true, "attach": true, "proxy": true}

// apiCall is the latency and count of one verb/resource/subresource/scope.
type apiCall struct {
	Resource, Subresource, Verb, Scope string
	Latency                            LatencyMetric
	Count, SlowCount                   int
}

func (a apiCall) key() string {
	return strings.Join([]string{a.Resource, a.Subresource, a.Verb, a.Scope}, "|")
}

func (a apiCall) String() string {
	s := a.Verb + " " + a.Resource
	if a.Subresource != "" {
		s += "/" + a.Subresource
	}
	return s + " (" + a.Scope + ")"
}

// sliSeries keeps the series of the SLI that CL2 counts.
func sliSeries(l metrics.Labels) bool {
	return l["verb"] != "WATCH" && l["verb"] != "WATCHLIST" && !excludedSubresources[l["subresource"]]
}

// slowBound is the bucket bound above which a call counts as slow: 1s for
// single-object and mutating calls, 5s for namespaced lists, 30s for
// cluster-wide lists.
func slowBound(verb, scope string) float64 {
	switch {
	case verb != "LIST":
		return 1
	case scope == "cluster":
		return 30
	}
	return 5
}

// apiCallsFromDelta computes per-call latency and counts from the increase
// of the SLI histograms between two scrapes of the API server, with the
// watch-list histogram as WATCHLIST calls (as CL2 adds them).
func apiCallsFromDelta(d *metrics.Snapshot) []apiCall {
	var out []apiCall
	for _, h := range d.SumHistogram(sliMetric, sliSeries, "resource", "subresource", "verb", "scope") {
		if a, ok := callOf(h, h.Labels["verb"]); ok {
			fast := 0.0
			for _, b := range h.Buckets {
				if b.UpperBound == slowBound(a.Verb, a.Scope) {
					fast = b.Count
				}
			}
			a.SlowCount = max(a.Count-int(math.Round(fast)), 0)
			out = append(out, a)
		}
	}
	for _, h := range d.SumHistogram(watchListMetric, nil, "resource", "scope") {
		if a, ok := callOf(h, "WATCHLIST"); ok {
			out = append(out, a)
		}
	}
	sortCalls(out)
	return out
}

// callOf is the call of one summed histogram; false when it saw no calls.
func callOf(h metrics.HistogramSeries, verb string) (apiCall, bool) {
	count := int(math.Round(h.Count))
	if count == 0 {
		return apiCall{}, false
	}
	l := h.Labels
	a := apiCall{Resource: l["resource"], Subresource: l["subresource"], Verb: verb, Scope: l["scope"], Count: count}
	a.Latency = LatencyMetric{P50: Seconds(h.Quantile(0.5)), P90: Seconds(h.Quantile(0.9)), P99: Seconds(h.Quantile(0.99)), Count: count}
	return a, true
}

// Seconds is f seconds as a Duration; NaN and ±Inf (no data) are 0.
func Seconds(f float64) time.Duration {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// sortCalls orders by p99, highest first (CL2's order), then by key.
func sortCalls(cs []apiCall) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Latency.P99 != cs[j].Latency.P99 {
			return cs[i].Latency.P99 > cs[j].Latency.P99
		}
		return cs[i].key() < cs[j].key()
	})
}

// apiCallsPerfData is calls as CL2's APIResponsiveness perfdash document.
func apiCallsPerfData(cs []apiCall) results.PerfData {
	pd := results.PerfData{Version: "v1", DataItems: []results.DataItem{}}
	for _, a := range cs {
		pd.DataItems = append(pd.DataItems, results.DataItem{
			Data: map[string]float64{"Perc50": Millis(a.Latency.P50), "Perc90": Millis(a.Latency.P90), "Perc99": Millis(a.Latency.P99)},
			Unit: "ms",
			Labels: map[string]string{"Verb": a.Verb, "Resource": a.Resource, "Subresource": a.Subresource, "Scope": a.Scope,
				"Count": strconv.Itoa(a.Count), "SlowCount": strconv.Itoa(a.SlowCount)},
		})
	}
	return pd
}

// sloOptions are the APIResponsiveness gather params that judge calls.
type sloOptions struct {
	single, multiple time.Duration
	allowedSlowCalls int
	custom           map[string]time.Duration
}

// parseCustomThresholds reads the customThresholds param: a YAML list of
// {resource, subresource, verb, scope, threshold}.
func parseCustomThresholds(s string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	var entries []struct {
		Resource, Subresource, Verb, Scope, Threshold string
	}
	if err := yaml.Unmarshal([]byte(s), &entries); err != nil {
		return nil, fmt.Errorf("customThresholds: %w", err)
	}
	for _, e := range entries {
		d, err := time.ParseDuration(e.Threshold)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("customThresholds: %s %s: threshold must be a positive duration, got %q", e.Verb, e.Resource, e.Threshold)
		}
		out[apiCall{Resource: e.Resource, Subresource: e.Subresource, Verb: e.Verb, Scope: e.Scope}.key()] = d
	}
	return out, nil
}

// threshold is the SLO that applies to a call.
func (o sloOptions) threshold(a apiCall) time.Duration {
	if t, ok := o.custom[a.key()]; ok {
		return t
	}
	if a.Scope == "resource" {
		return o.single
	}
	return o.multiple
}

// judge returns the calls that violate their SLO. With allowedSlowCalls > 0
// a call with at most that many slow requests passes whatever its percentiles.
func (o sloOptions) judge(cs []apiCall) []string {
	var bad []string
	for _, a := range cs {
		if o.allowedSlowCalls > 0 && a.SlowCount <= o.allowedSlowCalls {
			continue
		}
		t := o.threshold(a)
		if why := a.Latency.Exceeds(t, t, t); why != "" {
			bad = append(bad, fmt.Sprintf("%s %s (threshold %v, %d calls, %d slow)", a, why, t, a.Count, a.SlowCount))
		}
	}
	return bad
}

// APICall is one call's latency and counts, for `perflab cluster bench`.
type APICall = apiCall

// APICallsFromDelta is the API calls in d (the difference of two scrapes of
// the API server, see metrics.Delta), slowest p99 first: the SLI histogram
// per verb, resource, subresource and scope, WATCH and long-running calls
// left out, quantiles interpolated as histogram_quantile does.
func APICallsFromDelta(d *metrics.Snapshot) []APICall { return apiCallsFromDelta(d) }

// SLO is the threshold APIResponsiveness applies to a by default: 1s for a
// single-object call, 30s for the others.
func (a apiCall) SLO() time.Duration {
	return sloOptions{single: defaultSingleResourceSLO, multiple: defaultMultipleResourceSLO}.threshold(a)
}
