package measure

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/perflab/perflab/metrics"
)

// apiResponsiveness is CL2's APIResponsivenessPrometheus(Simple). Without a
// Prometheus it scrapes the API server's /metrics at start and at collect
// and takes quantiles of the increase of the SLI histograms; with one it
// runs CL2's simple histogram_quantile queries over the measured window.
type apiResponsiveness struct {
	cfg    Config
	start  time.Time
	before *metrics.Snapshot
}

func newAPIResponsiveness(c Config) (Measurement, error) {
	if c.Prometheus == nil && c.REST == nil {
		return nil, fmt.Errorf("%s: needs the API server's REST config or a Prometheus", c.Name)
	}
	return &apiResponsiveness{cfg: c}, nil
}

func (m *apiResponsiveness) Start(ctx context.Context) error {
	m.start = m.cfg.now()
	if m.cfg.Prometheus != nil {
		// A scrape at or after start is the baseline of increase().
		return metrics.WaitScraped(ctx, m.cfg.Prometheus, m.start)
	}
	snap, err := m.scrape(ctx)
	m.before = snap
	return err
}

func (m *apiResponsiveness) Stop() {}

func (m *apiResponsiveness) Collect(ctx context.Context, p Params) (*Result, error) {
	calls, err := m.calls(ctx)
	if err != nil {
		return nil, err
	}
	return m.result(p, calls)
}

func (m *apiResponsiveness) scrape(ctx context.Context) (*metrics.Snapshot, error) {
	t, err := metrics.RESTTarget(m.cfg.REST, "/metrics")
	if err != nil {
		return nil, err
	}
	return metrics.Scrape(ctx, t)
}

func (m *apiResponsiveness) calls(ctx context.Context) ([]apiCall, error) {
	now := m.cfg.now()
	if m.cfg.Prometheus == nil {
		after, err := m.scrape(ctx)
		if err != nil {
			return nil, err
		}
		return apiCallsFromDelta(metrics.Delta(m.before, after)), nil
	}
	return promAPICalls(ctx, m.cfg.Prometheus, now.Sub(m.start), now)
}

// result is the perfdash file of calls and one check of them against the
// SLO (CL2's gather params).
func (m *apiResponsiveness) result(p Params, calls []apiCall) (*Result, error) {
	custom, err := parseCustomThresholds(p.Str("customThresholds", ""))
	if err != nil {
		return nil, err
	}
	o := sloOptions{
		single:           p.Duration("singleResourceThreshold", defaultSingleResourceSLO),
		multiple:         defaultMultipleResourceSLO,
		allowedSlowCalls: p.Int("allowedSlowCalls", 0),
		custom:           custom,
	}
	bad := o.judge(calls)
	detail := fmt.Sprintf("%d API call kinds within SLO (1s single-object, 30s list)", len(calls))
	if len(calls) > 0 {
		detail += fmt.Sprintf("; slowest p99 %v %s", Round(calls[0].Latency.P99), calls[0])
	}
	if len(bad) > 0 {
		detail = fmt.Sprintf("%d of %d API call kinds over SLO: %s", len(bad), len(calls), strings.Join(bad[:min(len(bad), 3)], "; "))
		if len(bad) > 3 {
			detail += "; ..."
		}
		for _, b := range bad {
			slog.Warn("API call over SLO", "measurement", m.cfg.ID, "call", b)
		}
	}
	return &Result{
		Files: []File{{Name: p.Str("summaryName", m.cfg.Name), Data: apiCallsPerfData(calls)}},
		Checks: []Check{{Name: m.cfg.Name + " " + m.cfg.ID, Pass: len(bad) == 0, Detail: detail,
			Enforced: p.Bool("enableViolations", false)}},
	}, nil
}
