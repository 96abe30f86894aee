package tap

import (
	"bytes"
	"context"
	"io"
	"time"
)

// LiveOptions configure the live view.
type LiveOptions struct {
	Every time.Duration // refresh interval (default 5s)
	Top   int           // rows per table (default 10)
	// Redraw clears the terminal before each refresh (for a terminal; a
	// log file gets the tables one after another).
	Redraw bool
}

// Live prints the live view on w every o.Every until ctx is done.
func (s *Stats) Live(ctx context.Context, w io.Writer, o LiveOptions) {
	if o.Every <= 0 {
		o.Every = 5 * time.Second
	}
	if o.Top <= 0 {
		o.Top = 10
	}
	t := time.NewTicker(o.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			var b bytes.Buffer
			if o.Redraw {
				b.WriteString("\x1b[H\x1b[2J")
			}
			_ = s.Summary(false).WriteLive(&b, o.Top)
			_, _ = w.Write(b.Bytes())
		}
	}
}
