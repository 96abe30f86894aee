package progress

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"sync/atomic"
	"time"
)

// Options configure a Reporter.
type Options struct {
	Name     string        // what is progressing, e.g. the job name
	Unit     string        // "objects" by default
	Total    int64         // 0 if unknown
	Interval time.Duration // 2s by default
	Out      io.Writer     // where lines go (stderr in commands); nil: nowhere
	Now      func() time.Time
	// SI prints counts and rates with SI prefixes (k, M, G, T), for units
	// such as "bit": "2.50 Gbit, 1.25 Gbit/s".
	SI bool
	// Detail, when set, is appended to each line (e.g. other counts, RSS).
	Detail func() string
}

// Reporter counts progress; Run prints it periodically. Counters are atomic,
// so workers call Add from any goroutine.
type Reporter struct {
	o          Options
	start      time.Time
	done       atomic.Int64
	errs       atomic.Int64
	ready      atomic.Int64
	readyTotal atomic.Int64
	total      atomic.Int64
}

// New returns a Reporter whose clock starts now.
func New(o Options) *Reporter {
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.Unit == "" {
		o.Unit = "objects"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Reporter{o: o, start: o.Now()}
	r.total.Store(o.Total)
	r.readyTotal.Store(-1)
	return r
}

// Add counts n more done.
func (r *Reporter) Add(n int64) { r.done.Add(n) }

// AddError counts n failures.
func (r *Reporter) AddError(n int64) { r.errs.Add(n) }

// SetTotal changes the total.
func (r *Reporter) SetTotal(n int64) { r.total.Store(n) }

// SetReady records how many of total are ready (waiting phase).
func (r *Reporter) SetReady(ready, total int64) {
	r.ready.Store(ready)
	r.readyTotal.Store(total)
}

// Done returns the count so far.
func (r *Reporter) Done() int64 { return r.done.Load() }

// Rate is the achieved rate in units per second since New.
func (r *Reporter) Rate() float64 {
	el := r.o.Now().Sub(r.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(r.done.Load()) / el
}

// Line is the current progress line, e.g. "job: 10/20 objects (50%),
// 2.5/s, eta 4s, 4s elapsed".
func (r *Reporter) Line() string {
	var b strings.Builder
	done, total := r.done.Load(), r.total.Load()
	rate := r.Rate()
	fmt.Fprintf(&b, "%s: ", r.o.Name)
	switch {
	case r.o.SI && total > 0:
		fmt.Fprintf(&b, "%s%s of %s%s (%.0f%%)", si(float64(done)), r.o.Unit, si(float64(total)), r.o.Unit, 100*float64(done)/float64(total))
	case r.o.SI:
		fmt.Fprintf(&b, "%s%s", si(float64(done)), r.o.Unit)
	case total > 0:
		fmt.Fprintf(&b, "%d/%d %s (%.0f%%)", done, total, r.o.Unit, 100*float64(done)/float64(total))
	default:
		fmt.Fprintf(&b, "%d %s", done, r.o.Unit)
	}
	if r.o.SI {
		fmt.Fprintf(&b, ", %s%s/s", si(rate), r.o.Unit)
	} else {
		fmt.Fprintf(&b, ", %.1f/s", rate)
	}
	if e := r.errs.Load(); e > 0 {
		fmt.Fprintf(&b, ", %d errors", e)
	}
	if rt := r.readyTotal.Load(); rt >= 0 {
		fmt.Fprintf(&b, ", ready %d/%d", r.ready.Load(), rt)
	}
	if total > done && rate > 0 {
		fmt.Fprintf(&b, ", eta %s", time.Duration(float64(total-done)/rate*float64(time.Second)).Round(time.Second))
	}
	if r.o.Detail != nil {
		if d := r.o.Detail(); d != "" {
			b.WriteString(", " + d)
		}
	}
	fmt.Fprintf(&b, ", %s elapsed", r.o.Now().Sub(r.start).Round(time.Second))
	return b.String()
}

// si formats v with an SI prefix and a trailing blank: "2.50 G", "512 ".
func si(v float64) string {
	const prefixes = " kMGTP"
	i := 0
	for ; i < len(prefixes)-1 && math.Abs(v) >= 1000; i++ {
		v /= 1000
	}
	p := strings.TrimSpace(prefixes[i : i+1])
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f ", v)
	case math.Abs(v) < 10:
		return fmt.Sprintf("%.2f %s", v, p)
	case math.Abs(v) < 100:
		return fmt.Sprintf("%.1f %s", v, p)
	default:
		return fmt.Sprintf("%.0f %s", v, p)
	}
}

// Print writes Line to Out now, for operations that report once per step
// rather than every Interval.
func (r *Reporter) Print() {
	if r.o.Out != nil {
		fmt.Fprintln(r.o.Out, r.Line())
	}
}

// Run prints Line every Interval until ctx ends.
func (r *Reporter) Run(ctx context.Context) {
	if r.o.Out == nil {
		return
	}
	t := time.NewTicker(r.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.Print()
		}
	}
}

// Start runs Run in a goroutine and returns a stop function that ends it and
// prints the final line.
func (r *Reporter) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() { r.Run(ctx); close(finished) }()
	return func() {
		cancel()
		<-finished
		r.Print()
	}
}

// Snapshot is a Reporter's counters at one moment, for live displays.
type Snapshot struct {
	Name       string        `json:"name"`
	Unit       string        `json:"unit"`
	Done       int64         `json:"done"`
	Total      int64         `json:"total"`
	Errors     int64         `json:"errors"`
	Ready      int64         `json:"ready"`
	ReadyTotal int64         `json:"readyTotal"` // -1 until waiting starts
	Rate       float64       `json:"rate"`       // units per second since New
	Elapsed    time.Duration `json:"elapsed"`
}

// Snapshot returns the counters now.
func (r *Reporter) Snapshot() Snapshot {
	return Snapshot{
		Name:       r.o.Name,
		Unit:       r.o.Unit,
		Done:       r.done.Load(),
		Total:      r.total.Load(),
		Errors:     r.errs.Load(),
		Ready:      r.ready.Load(),
		ReadyTotal: r.readyTotal.Load(),
		Rate:       r.Rate(),
		Elapsed:    r.o.Now().Sub(r.start),
	}
}
