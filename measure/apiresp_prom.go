package measure

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/common/model"

	"github.com/perflab/perflab/metrics"
)

// promAPICalls runs CL2's simple latency and count queries over window.
func promAPICalls(ctx context.Context, q metrics.Querier, window time.Duration, at time.Time) ([]apiCall, error) {
	start := at.Add(-window)
	if err := metrics.WaitScraped(ctx, q, at); err != nil {
		return nil, err
	}
	at = time.Now()
	window = at.Sub(start)
	w := fmt.Sprintf("%ds", max(int(window.Seconds()+0.999), 60))
	const filters = `verb!~"WATCH|WATCHLIST", subresource!~"log|exec|portforward|attach|proxy"`
	const by = "resource, subresource, verb, scope"
	calls := map[string]*apiCall{}
	get := func(mt model.Metric) *apiCall {
		a := apiCall{Resource: string(mt["resource"]), Subresource: string(mt["subresource"]), Verb: string(mt["verb"]), Scope: string(mt["scope"])}
		if p, ok := calls[a.key()]; ok {
			return p
		}
		calls[a.key()] = &a
		return &a
	}
	query := func(s string) (model.Vector, error) {
		v, err := q.Query(ctx, s, at)
		if err != nil {
			return nil, err
		}
		vec, ok := v.(model.Vector)
		if !ok {
			return nil, fmt.Errorf("query %q: want a vector, got %s", s, v.Type())
		}
		return vec, nil
	}
	count, err := query(fmt.Sprintf("sum(increase(%s_count{%s}[%s])) by (%s)", sliMetric, filters, w, by))
	if err != nil {
		return nil, err
	}
	// CL2 adds the watch-list histogram (no verb label) as WATCHLIST.
	watchList := func(vec model.Vector) model.Vector {
		for _, s := range vec {
			s.Metric = s.Metric.Clone()
			s.Metric["verb"] = "WATCHLIST"
		}
		return vec
	}
	wlCount, err := query(fmt.Sprintf("sum(increase(%s_count[%s])) by (%s)", watchListMetric, w, by))
	if err != nil {
		return nil, err
	}
	for _, s := range append(count, watchList(wlCount)...) {
		get(s.Metric).Count = int(float64(s.Value) + 0.5)
	}
	if len(count) == 0 {
		up, _ := q.Query(ctx, "up", at)
		slog.Warn("Prometheus has no API server request data for the window", "window", w, "targets", fmt.Sprint(up))
	}
	for _, qq := range []float64{0.5, 0.9, 0.99} {
		vec, err := query(fmt.Sprintf("histogram_quantile(%.2f, sum(rate(%s_bucket{%s}[%s])) by (%s, le))", qq, sliMetric, filters, w, by))
		if err != nil {
			return nil, err
		}
		wl, err := query(fmt.Sprintf("histogram_quantile(%.2f, sum(rate(%s_bucket[%s])) by (group, version, resource, scope, le))", qq, watchListMetric, w))
		if err != nil {
			return nil, err
		}
		for _, s := range append(vec, watchList(wl)...) {
			a, d := get(s.Metric), Seconds(float64(s.Value))
			switch qq {
			case 0.5:
				a.Latency.P50 = d
			case 0.9:
				a.Latency.P90 = d
			default:
				a.Latency.P99 = d
			}
		}
	}
	for _, f := range []string{`verb!~"WATCH|LIST", le="1"`, `scope!="cluster", verb="LIST", le="5"`, `scope="cluster", verb="LIST", le="30"`} {
		vec, err := query(fmt.Sprintf("sum(increase(%s_bucket{%s, subresource!~\"log|exec|portforward|attach|proxy\"}[%s])) by (%s)", sliMetric, f, w, by))
		if err != nil {
			return nil, err
		}
		for _, s := range vec {
			a := get(s.Metric)
			a.SlowCount = max(a.Count-int(float64(s.Value)+0.5), 0)
		}
	}
	out := make([]apiCall, 0, len(calls))
	for _, a := range calls {
		if a.Count > 0 {
			a.Latency.Count = a.Count
			out = append(out, *a)
		}
	}
	sortCalls(out)
	return out, nil
}
