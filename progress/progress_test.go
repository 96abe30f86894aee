package progress

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	now := time.Unix(100, 0)
	clock := func() time.Time { return now }
	r := New(Options{Name: "job", Total: 20, Now: clock})
	now = now.Add(4 * time.Second)
	r.Add(10)
	if got, want := r.Line(), "job: 10/20 objects (50%), 2.5/s, 4s elapsed"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	r.SetReady(7, 10)
	r.AddError(1)
	if got := r.Line(); !strings.Contains(got, "1 errors") || !strings.Contains(got, "ready 7/10") {
		t.Errorf("got %q", got)
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
	if got, want := r.Line(), "pods Ready: 2/4 pods (50%), 1.0/s, RSS 12 MiB, 2s elapsed"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
