package cl2

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
)

// apiResponsiveness is CL2's APIResponsivenessPrometheus(Simple). Without a
// Prometheus it scrapes the API server's /metrics at start and at gather and
// takes quantiles of the increase of the SLI histograms; with one it runs
// CL2's simple histogram_quantile queries over the measured window.
type apiResponsiveness struct {
	name   string
	start  time.Time
	before *metrics.Snapshot
}

func newAPIResponsiveness(simple bool) func() measurement {
	name := "APIResponsivenessPrometheus"
	if simple {
		name += "Simple"
	}
	return func() measurement { return &apiResponsiveness{name: name} }
}

func (m *apiResponsiveness) dispose() {}

func (m *apiResponsiveness) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	switch c.action {
	case "start":
		m.start = e.clock.Now()
		if e.prom != nil {
			// A scrape at or after start is the baseline of increase().
			return nil, waitScraped(ctx, e.prom, m.start)
		}
		snap, err := scrapeAPIServer(ctx, e)
		m.before = snap
		return nil, err
	case "gather":
		if m.start.IsZero() {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		calls, err := m.calls(ctx, e)
		if err != nil {
			return nil, err
		}
		return m.report(c, calls, e.clock.Now())
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

func scrapeAPIServer(ctx context.Context, e *env) (*metrics.Snapshot, error) {
	t, err := metrics.RESTTarget(e.rest, "/metrics")
	if err != nil {
		return nil, err
	}
	return metrics.Scrape(ctx, t)
}

func (m *apiResponsiveness) calls(ctx context.Context, e *env) ([]apiCall, error) {
	if e.prom == nil {
		after, err := scrapeAPIServer(ctx, e)
		if err != nil {
			return nil, err
		}
		return apiCallsFromDelta(metrics.Delta(m.before, after)), nil
	}
	return promAPICalls(ctx, e.prom, e.clock.Now().Sub(m.start), e.clock.Now())
}

func (m *apiResponsiveness) report(c call, calls []apiCall, now time.Time) (*outcome, error) {
	content, err := apiCallsPerfData(calls)
	if err != nil {
		return nil, err
	}
	custom, err := parseCustomThresholds(c.params.Str("customThresholds", ""))
	if err != nil {
		return nil, err
	}
	o := sloOptions{
		single:           c.params.Duration("singleResourceThreshold", defaultSingleResourceSLO),
		multiple:         defaultMultipleResourceSLO,
		allowedSlowCalls: c.params.Int("allowedSlowCalls", 0),
		custom:           custom,
	}
	bad := o.judge(calls)
	detail := fmt.Sprintf("%d API call kinds within SLO (1s single-object, 30s list)", len(calls))
	if len(calls) > 0 {
		detail += fmt.Sprintf("; slowest p99 %v %s", measure.Round(calls[0].Latency.P99), calls[0])
	}
	if len(bad) > 0 {
		detail = fmt.Sprintf("%d of %d API call kinds over SLO: %s", len(bad), len(calls), strings.Join(bad[:min(len(bad), 3)], "; "))
		if len(bad) > 3 {
			detail += "; ..."
		}
		for _, b := range bad {
			slog.Warn("API call over SLO", "measurement", c.identifier, "call", b)
		}
	}
	name := c.params.Str("summaryName", m.name)
	return &outcome{
		summaries: []Summary{{Name: name, Ext: "json", Content: content, Time: now}},
		checks: []Check{{Name: m.name + " " + c.identifier, Pass: len(bad) == 0, Detail: detail,
			Enforced: c.params.Bool("enableViolations", false)}},
	}, nil
}

// promQuerier is the part of metrics.Client used here.
type promQuerier interface {
	Query(ctx context.Context, query string, t time.Time) (model.Value, error)
}

// freshWithin bounds the wait for Prometheus to scrape past the gather time.
const freshWithin = time.Minute

// waitScraped waits until Prometheus holds a sample of every target taken
// at or after t, so the queried window covers the whole measurement.
func waitScraped(ctx context.Context, q promQuerier, t time.Time) error {
	deadline := time.Now().Add(freshWithin)
	for {
		v, err := q.Query(ctx, "min(timestamp(up))", time.Now())
		if err != nil {
			return err
		}
		if vec, ok := v.(model.Vector); ok && len(vec) > 0 && float64(vec[0].Value) >= float64(t.UnixNano())/1e9 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("prometheus has no scrape after %s", t.Format(time.RFC3339))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// promAPICalls runs CL2's simple latency and count queries over window.
func promAPICalls(ctx context.Context, q promQuerier, window time.Duration, at time.Time) ([]apiCall, error) {
	start := at.Add(-window)
	if err := waitScraped(ctx, q, at); err != nil {
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
		if p, ok := calls[a.Key()]; ok {
			return p
		}
		calls[a.Key()] = &a
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
			a, d := get(s.Metric), metrics.Seconds(float64(s.Value))
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
	metrics.SortAPICalls(out)
	return out, nil
}
