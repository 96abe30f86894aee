package progress

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    Options
		done int64
		want string
	}{
		{"total", Options{Name: "job", Total: 20}, 10, "job: 10/20 objects (50%), 2.5/s, eta 4s, 4s elapsed"},
		{"finished", Options{Name: "job", Total: 20}, 20, "job: 20/20 objects (100%), 5.0/s, 4s elapsed"},
		{"no total", Options{Name: "job", Unit: "transactions"}, 10, "job: 10 transactions, 2.5/s, 4s elapsed"},
		{"SI", Options{Name: "TCP_STREAM", Unit: "bit", SI: true}, 10e9, "TCP_STREAM: 10.0 Gbit, 2.50 Gbit/s, 4s elapsed"},
		{"SI small", Options{Name: "x", Unit: "bit", SI: true}, 999, "x: 999 bit, 250 bit/s, 4s elapsed"},
		{"SI total", Options{Name: "x", Unit: "B", SI: true, Total: 4e6}, 1e6, "x: 1.00 MB of 4.00 MB (25%), 250 kB/s, eta 12s, 4s elapsed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(100, 0)
			tt.o.Now = func() time.Time { return now }
			r := New(tt.o)
			now = now.Add(4 * time.Second)
			r.Add(tt.done)
			if got := r.Line(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestLineErrorsReady(t *testing.T) {
	r := New(Options{Name: "job", Total: 20})
	r.SetReady(7, 10)
	r.AddError(1)
	if got := r.Line(); !strings.Contains(got, "1 errors") || !strings.Contains(got, "ready 7/10") {
		t.Errorf("got %q", got)
	}
}

func TestPrint(t *testing.T) {
	var b bytes.Buffer
	r := New(Options{Name: "lab", Unit: "tests", Total: 4, Out: &b})
	r.Add(1)
	r.Print()
	r.Add(1)
	r.Print()
	New(Options{Name: "nowhere"}).Print() // nil Out: nothing, no panic
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "lab: 1/4 tests (25%)") || !strings.HasPrefix(lines[1], "lab: 2/4 tests (50%)") {
		t.Errorf("lines: %q", lines)
	}
}

func TestWaitLine(t *testing.T) {
	for _, tt := range []struct {
		elapsed, d time.Duration
		want       string
	}{
		{10 * time.Second, 30 * time.Second, "w: 10s of 30s (33%), 20s left"},
		{31 * time.Second, 30 * time.Second, "w: 30s of 30s (100%), 0s left"},
		{1500 * time.Millisecond, 2 * time.Minute, "w: 2s of 2m0s (1%), 1m59s left"},
	} {
		if got := waitLine("w", tt.elapsed, tt.d); got != tt.want {
			t.Errorf("waitLine(%s, %s) = %q, want %q", tt.elapsed, tt.d, got, tt.want)
		}
	}
}

func TestWait(t *testing.T) {
	var b bytes.Buffer
	if err := Wait(context.Background(), 300*time.Millisecond, Options{Name: "scrape", Interval: 5 * time.Millisecond, Out: &b}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "scrape: 0s of 300ms (") || !strings.Contains(b.String(), " left\n") {
		t.Errorf("lines: %q", b.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Wait(ctx, time.Hour, Options{Name: "x"}); err != context.Canceled {
		t.Errorf("canceled: err = %v", err)
	}
}

func TestStartStopPrintsFinal(t *testing.T) {
	var b bytes.Buffer
	r := New(Options{Name: "j", Out: &b, Interval: time.Hour})
	stop := r.Start(context.Background())
	r.Add(3)
	stop()
	if !strings.HasPrefix(b.String(), "j: 3 objects") {
		t.Errorf("final line: %q", b.String())
	}
}

func TestLineDetail(t *testing.T) {
	now := time.Unix(100, 0)
	r := New(Options{Name: "pods Ready", Unit: "pods", Total: 4, Now: func() time.Time { return now }, Detail: func() string { return "RSS 12 MiB" }})
	now = now.Add(2 * time.Second)
	r.Add(2)
	if got, want := r.Line(), "pods Ready: 2/4 pods (50%), 1.0/s, eta 2s, RSS 12 MiB, 2s elapsed"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
