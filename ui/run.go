package ui

import (
	"context"
	"sync"
	"time"

	"github.com/perflab/perflab/progress"
)

// runTracker samples the progress of a run's current job.
type runTracker struct {
	mu   sync.Mutex
	cur  *progress.Reporter
	jobs int
	hist history

	last   progress.Snapshot // at the previous sample
	lastAt time.Time
}

// track makes r the current job.
func (t *runTracker) track(r *progress.Reporter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cur = r
	t.jobs++
}

// sample records the current job's counters every interval until ctx ends.
func (t *runTracker) sample(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			t.record(now)
		}
	}
}

// record adds one sample [now, done, rate over the last interval, ready].
func (t *runTracker) record(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur == nil {
		return
	}
	s := t.cur.Snapshot()
	rate := s.Rate
	// The rate over the last interval, unless the job just changed.
	if !t.lastAt.IsZero() && t.last.Name == s.Name && s.Done >= t.last.Done {
		rate = float64(s.Done-t.last.Done) / now.Sub(t.lastAt).Seconds()
	}
	t.last, t.lastAt = s, now
	t.hist.add([4]float64{unixMilli(now), float64(s.Done), rate, float64(s.Ready)})
}

func (t *runTracker) chart() *RunChart {
	t.mu.Lock()
	cur, jobs := t.cur, t.jobs
	t.mu.Unlock()
	c := &RunChart{Jobs: jobs, Points: t.hist.get()}
	if cur != nil {
		c.Job = cur.Snapshot()
	}
	return c
}
