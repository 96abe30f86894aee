package measure

import (
	"context"
	"log/slog"
	"time"
)

// defaultJobLifecycleTimeout is CL2's JobLifecycleLatency gather timeout.
const defaultJobLifecycleTimeout = 10 * time.Minute

// jobLifecycleTransitions are CL2's JobLifecycleLatency transitions.
var jobLifecycleTransitions = []struct {
	name     string
	from, to func(*JobTimes) time.Time
}{
	{"create_to_start", func(j *JobTimes) time.Time { return j.Created }, func(j *JobTimes) time.Time { return j.Started }},
	{"start_to_complete", func(j *JobTimes) time.Time { return j.Started }, func(j *JobTimes) time.Time { return j.CompletionTime }},
}

// jobLifecycleLatency is CL2's JobLifecycleLatency on the Job tracker that
// kube-burner's jobLatency uses: gather waits (timeout, default 10m) until
// every Job seen has completed, then reports create_to_start and
// start_to_complete percentiles as JobLifecycleLatency_<identifier>.
type jobLifecycleLatency struct {
	cfg     Config
	tracker *jobTracker
	cancel  context.CancelFunc
}

func newJobLifecycleLatency(c Config) (Measurement, error) {
	return &jobLifecycleLatency{cfg: c, tracker: newJobTracker()}, nil
}

func (m *jobLifecycleLatency) Start(ctx context.Context) error {
	tctx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	return m.tracker.start(tctx, m.cfg)
}

func (m *jobLifecycleLatency) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *jobLifecycleLatency) Collect(ctx context.Context, p Params) (*Result, error) {
	deadline := m.cfg.now().Add(p.Duration("timeout", defaultJobLifecycleTimeout))
	for !m.allCompleted() {
		if !m.cfg.now().Before(deadline) {
			slog.Warn("JobLifecycleLatency: timed out waiting for all jobs to complete", "identifier", m.cfg.ID)
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-m.cfg.Clock.After(time.Second):
		}
	}
	m.Stop()
	lat := map[string]LatencyMetric{}
	jobs := m.tracker.times()
	for _, tr := range jobLifecycleTransitions {
		var ds []time.Duration
		for i := range jobs {
			from, to := tr.from(&jobs[i]), tr.to(&jobs[i])
			if !from.IsZero() && !to.IsZero() {
				ds = append(ds, to.Sub(from))
			}
		}
		lat[tr.name] = NewLatencyMetric(ds)
	}
	return &Result{Files: []File{{Name: "JobLifecycleLatency_" + m.cfg.ID, Data: latencyPerfData(lat)}}}, nil
}

func (m *jobLifecycleLatency) allCompleted() bool {
	for _, j := range m.tracker.times() {
		if j.CompletionTime.IsZero() {
			return false
		}
	}
	return true
}
