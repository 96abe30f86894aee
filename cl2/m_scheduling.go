package cl2

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
)

const defaultThroughputInterval = 5 * time.Second

// schedulingThroughput is CL2's SchedulingThroughput: every interval
// (default 5s) it samples how many pods matching the selector were newly
// bound to a node, in pods/s; gather reports perc50/90/99 and max.
type schedulingThroughput struct {
	mu        sync.Mutex
	scheduled map[string]bool
	samples   []float64
	stop      func()
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
		m.scheduled, m.samples = map[string]bool{}, nil
		stopWatch, err := watchPods(ctx, e.client, selectorOf(c.params), func(p *corev1.Pod, deleted bool) {
			if !deleted && p.Spec.NodeName != "" {
				m.mu.Lock()
				m.scheduled[p.Namespace+"/"+p.Name] = true
				m.mu.Unlock()
			}
		})
		if err != nil {
			return nil, err
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go m.sample(sctx, e, interval, done)
		m.stop = func() { cancel(); <-done; stopWatch() }
		return nil, nil
	case "gather":
		if m.stop == nil {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		m.dispose()
		return m.gather(c, e.clock.Now())
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

func (m *schedulingThroughput) sample(ctx context.Context, e *env, interval time.Duration, done chan struct{}) {
	defer close(done)
	t := e.clock.NewTicker(interval)
	defer t.Stop()
	last := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			m.mu.Lock()
			n := len(m.scheduled)
			m.samples = append(m.samples, float64(n-last)/interval.Seconds())
			m.mu.Unlock()
			last = n
		}
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
		out = throughputSummary{Perc50: nearestRank(s, 50), Perc90: nearestRank(s, 90), Perc99: nearestRank(s, 99), Max: s[len(s)-1]}
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
