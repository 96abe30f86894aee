package cl2

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/results"
)

// apiCall is the latency and count of one verb/resource/subresource/scope
// (computed by package metrics, shared with `perflab cluster bench`).
type apiCall = metrics.APICall

// The SLI metrics and default thresholds (package metrics).
const (
	sliMetric                  = metrics.APICallSLIMetric
	watchListMetric            = metrics.WatchListMetric
	defaultSingleResourceSLO   = metrics.SingleResourceSLO
	defaultMultipleResourceSLO = metrics.MultipleResourceSLO
)

func apiCallsFromDelta(d *metrics.Snapshot) []apiCall { return metrics.APICallsFromDelta(d) }

// apiCallsPerfData renders calls as CL2's APIResponsiveness perfdash JSON.
func apiCallsPerfData(cs []apiCall) ([]byte, error) {
	pd := results.PerfData{Version: "v1", DataItems: []results.DataItem{}}
	for _, a := range cs {
		pd.DataItems = append(pd.DataItems, results.DataItem{
			Data: map[string]float64{"Perc50": measure.Millis(a.Latency.P50), "Perc90": measure.Millis(a.Latency.P90), "Perc99": measure.Millis(a.Latency.P99)},
			Unit: "ms",
			Labels: map[string]string{"Verb": a.Verb, "Resource": a.Resource, "Subresource": a.Subresource, "Scope": a.Scope,
				"Count": strconv.Itoa(a.Count), "SlowCount": strconv.Itoa(a.SlowCount)},
		})
	}
	return json.MarshalIndent(pd, "", "  ")
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
		d, err := parseDuration(e.Threshold)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("customThresholds: %s %s: threshold must be a positive duration, got %q", e.Verb, e.Resource, e.Threshold)
		}
		out[apiCall{Resource: e.Resource, Subresource: e.Subresource, Verb: e.Verb, Scope: e.Scope}.Key()] = d.D()
	}
	return out, nil
}

// threshold is the SLO that applies to a call.
func (o sloOptions) threshold(a apiCall) time.Duration {
	if t, ok := o.custom[a.Key()]; ok {
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
