package cl2

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/perflab/perflab/measure"
)

const defaultThroughputInterval = 5 * time.Second

// schedulingThroughput is CL2's SchedulingThroughput: every interval
// (default 5s) it samples how many pods matching the selector were newly
// bound to a node, in pods/s; gather reports perc50/90/99 and max.
type schedulingThroughput struct {
	mu      sync.Mutex
	tracker *measure.PodTracker
	samples []float64
	stop    func()
	// last is the scheduled count and time of the latest sample.
	lastCount int
	lastAt    time.Time
}

func newSchedulingThroughput() measurement { return &schedulingThroughput{} }

func (m *schedulingThroughput) dispose() {
	if m.stop != nil {
		m.stop()
		m.stop = nil
	}
}

func (m *schedulingThroughput) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	switch c.action {
	case "start":
		if m.stop != nil {
			return nil, nil
		}
		interval := c.params.duration("measurmentInterval", c.params.duration("measurementInterval", defaultThroughputInterval))
		m.samples, m.lastCount, m.lastAt = nil, 0, e.clock.Now()
		sel := selectorOf(c.params)
		sctx, cancel := context.WithCancel(ctx)
		m.tracker = measure.NewPodTracker(measure.TrackerOptions{Namespace: sel.namespace, Selector: sel.labels, Now: e.clock.Now})
		if err := m.tracker.Start(sctx, e.client); err != nil {
			cancel()
			return nil, err
		}
		done := make(chan struct{})
		go m.sample(sctx, e, interval, done)
		m.stop = func() { cancel(); <-done }
		return nil, nil
	case "gather":
		if m.stop == nil {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		m.dispose()
		m.finalSample(e.clock.Now())
		return m.gather(c, e.clock.Now())
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

func (m *schedulingThroughput) sample(ctx context.Context, e *env, interval time.Duration, done chan struct{}) {
	defer close(done)
	t := e.clock.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C():
			n := m.scheduledCount()
			m.mu.Lock()
			m.samples = append(m.samples, float64(n-m.lastCount)/interval.Seconds())
			m.lastCount, m.lastAt = n, now
			m.mu.Unlock()
		}
	}
}

func (m *schedulingThroughput) scheduledCount() int {
	n := 0
	for _, p := range m.tracker.Pods() {
		if p.Node != "" {
			n++
		}
	}
	return n
}

// finalSample adds the partial interval since the last sample when pods
// were scheduled in it, so that tests shorter than one interval still get
// a figure (CL2 drops that tail).
func (m *schedulingThroughput) finalSample(now time.Time) {
	n := m.scheduledCount()
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := now.Sub(m.lastAt).Seconds(); n > m.lastCount && d > 0 {
		m.samples = append(m.samples, float64(n-m.lastCount)/d)
	}
}

// throughputSummary is CL2's SchedulingThroughput file.
type throughputSummary struct {
	Perc50 float64 `json:"perc50"`
	Perc90 float64 `json:"perc90"`
	Perc99 float64 `json:"perc99"`
	Max    float64 `json:"max"`
}

func summarizeThroughput(samples []float64) throughputSummary {
	s := slices.Clone(samples)
	slices.Sort(s)
	var out throughputSummary
	if len(s) > 0 {
		out = throughputSummary{Perc50: measure.Quantile(s, 0.5), Perc90: measure.Quantile(s, 0.9), Perc99: measure.Quantile(s, 0.99), Max: s[len(s)-1]}
	}
	return out
}

func (m *schedulingThroughput) gather(c call, now time.Time) (*outcome, error) {
	m.mu.Lock()
	sum := summarizeThroughput(m.samples)
	n := len(m.samples)
	m.mu.Unlock()
	content, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return nil, err
	}
	threshold := c.params.float("threshold", 0)
	chk := Check{Name: "SchedulingThroughput " + c.identifier, Pass: true,
		Detail: fmt.Sprintf("max %.1f pods/s, p50 %.1f over %d samples", sum.Max, sum.Perc50, n)}
	if threshold > 0 {
		chk.Enforced = c.params.boolean("enableViolations", true)
		chk.Pass = sum.Max >= threshold
		chk.Detail += fmt.Sprintf("; threshold %.1f", threshold)
	}
	return &outcome{
		summaries: []Summary{{Name: "SchedulingThroughput", Ext: "json", Content: content, Time: now}},
		checks:    []Check{chk},
	}, nil
}
