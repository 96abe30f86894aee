package ui

import (
	"context"
	"math"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/metrics"
)

// apiSampler scrapes the API server's /metrics and keeps its request rate
// and latency quantiles between consecutive scrapes.
type apiSampler struct {
	cfg  *rest.Config
	hist history
	mu   sync.Mutex
	err  string
}

// longRunning verbs stay open for minutes; their duration is not latency.
var longRunning = map[string]bool{"WATCH": true, "WATCHLIST": true, "CONNECT": true}

func (a *apiSampler) sample(ctx context.Context, interval time.Duration) {
	t, err := metrics.RESTTarget(a.cfg, "/metrics")
	if err != nil {
		a.setErr(err)
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var prev *metrics.Snapshot
	for {
		s, err := metrics.Scrape(ctx, t)
		if ctx.Err() != nil {
			return
		}
		a.setErr(err)
		if err == nil {
			if prev != nil {
				a.hist.add(apiPoint(metrics.Delta(prev, s)))
			}
			prev = s
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// apiPoint is [unix ms, requests/s, p50 ms, p99 ms] over d's window; a
// quantile without requests is 0.
func apiPoint(d *metrics.Snapshot) [4]float64 {
	p := [4]float64{unixMilli(d.Time)}
	if secs := d.Window.Seconds(); secs > 0 {
		for _, s := range d.Sum("apiserver_request_total", nil) {
			p[1] += s.Value / secs
		}
	}
	short := func(l metrics.Labels) bool { return !longRunning[l["verb"]] }
	for _, h := range d.SumHistogram("apiserver_request_duration_seconds", short) {
		for i, q := range []float64{0.5, 0.99} {
			if v := h.Quantile(q); !math.IsNaN(v) && !math.IsInf(v, 0) {
				p[2+i] = v * 1000
			}
		}
	}
	return p
}

func (a *apiSampler) setErr(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.err = ""
	if err != nil {
		a.err = err.Error()
	}
}

func (a *apiSampler) chart() *APIChart {
	a.mu.Lock()
	e := a.err
	a.mu.Unlock()
	return &APIChart{Error: e, Points: a.hist.get()}
}
