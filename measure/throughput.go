package measure

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

const defaultThroughputInterval = 5 * time.Second

// schedulingThroughput is CL2's SchedulingThroughput: every interval
// (default 5s) it samples how many pods matching the selector were newly
// bound to a node, in pods/s; gather reports perc50/90/99 and max.
type schedulingThroughput struct {
	cfg      Config
	interval time.Duration
	mu       sync.Mutex
	tracker  *PodTracker
	samples  []float64
	stop     func()
	// last is the scheduled count and time of the latest sample.
	lastCount int
	lastAt    time.Time
}

func newSchedulingThroughput(c Config) (Measurement, error) {
	return &schedulingThroughput{cfg: c,
		interval: c.Params.Duration("measurmentInterval", c.Params.Duration("measurementInterval", defaultThroughputInterval)),
		tracker:  NewPodTracker(TrackerOptions{Namespace: c.Namespace, Selector: c.Labels, Now: c.now}),
	}, nil
}

func (m *schedulingThroughput) Stop() {
	if m.stop != nil {
		m.stop()
		m.stop = nil
	}
}

func (m *schedulingThroughput) Start(ctx context.Context) error {
	m.samples, m.lastCount, m.lastAt = nil, 0, m.cfg.now()
	sctx, cancel := context.WithCancel(ctx)
	if err := m.tracker.Start(sctx, m.cfg.Client); err != nil {
		cancel()
		return err
	}
	done := make(chan struct{})
	go m.sample(sctx, done)
	m.stop = func() { cancel(); <-done }
	return nil
}

func (m *schedulingThroughput) Collect(_ context.Context, p Params) (*Result, error) {
	m.Stop()
	m.finalSample(m.cfg.now())
	return m.gather(p), nil
}

func (m *schedulingThroughput) sample(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := m.cfg.Clock.NewTicker(m.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C():
			n := m.scheduledCount()
			m.mu.Lock()
			m.samples = append(m.samples, float64(n-m.lastCount)/m.interval.Seconds())
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

// ThroughputSummary is CL2's SchedulingThroughput file.
type ThroughputSummary struct {
	Perc50 float64 `json:"perc50"`
	Perc90 float64 `json:"perc90"`
	Perc99 float64 `json:"perc99"`
	Max    float64 `json:"max"`
}

func summarizeThroughput(samples []float64) ThroughputSummary {
	s := slices.Clone(samples)
	slices.Sort(s)
	var out ThroughputSummary
	if len(s) > 0 {
		out = ThroughputSummary{Perc50: Quantile(s, 0.5), Perc90: Quantile(s, 0.9), Perc99: Quantile(s, 0.99), Max: s[len(s)-1]}
	}
	return out
}

func (m *schedulingThroughput) gather(p Params) *Result {
	m.mu.Lock()
	sum := summarizeThroughput(m.samples)
	n := len(m.samples)
	m.mu.Unlock()
	threshold := p.Float("threshold", 0)
	chk := Check{Name: "SchedulingThroughput " + m.cfg.ID, Pass: true,
		Detail: fmt.Sprintf("max %.1f pods/s, p50 %.1f over %d samples", sum.Max, sum.Perc50, n)}
	if threshold > 0 {
		chk.Enforced = p.Bool("enableViolations", true)
		chk.Pass = sum.Max >= threshold
		chk.Detail += fmt.Sprintf("; threshold %.1f", threshold)
	}
	return &Result{Files: []File{{Name: "SchedulingThroughput", Data: sum}}, Checks: []Check{chk}}
}
