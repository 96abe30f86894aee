package progress

import (
	"context"
	"fmt"
	"time"
)

// Wait waits d, or until ctx ends (returning its error), and prints a line
// like "name: 10s of 30s (33%), 20s left" to o.Out every o.Interval. Of the
// Options it uses Name, Interval, Out and Now.
func Wait(ctx context.Context, d time.Duration, o Options) error {
	r := New(o)
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(r.o.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return nil
		case <-tick.C:
			if r.o.Out != nil {
				fmt.Fprintln(r.o.Out, waitLine(r.o.Name, r.o.Now().Sub(r.start), d))
			}
		}
	}
}

func waitLine(name string, elapsed, d time.Duration) string {
	elapsed = min(elapsed, d)
	return fmt.Sprintf("%s: %s of %s (%.0f%%), %s left", name, elapsed.Round(time.Second), d,
		100*elapsed.Seconds()/d.Seconds(), (d - elapsed).Round(time.Second))
}
