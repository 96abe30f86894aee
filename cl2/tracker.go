package cl2

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// tracker counts finished phase actions for the periodic progress line.
type tracker struct {
	total, finished atomic.Int64
}

func (t *tracker) add(n int)  { t.total.Add(int64(n)) }
func (t *tracker) done(n int) { t.finished.Add(int64(n)) }

// run logs "actions done/total, rate" every interval until ctx ends.
func (t *tracker) run(ctx context.Context, interval time.Duration) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	start, last := time.Now(), int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			d := t.finished.Load()
			if d == last {
				continue
			}
			rate := float64(d-last) / interval.Seconds()
			last = d
			slog.Info("cl2 progress", "actions", d, "of", t.total.Load(), "rate/s", int(rate+0.5), "elapsed", time.Since(start).Round(time.Second))
		}
	}
}
