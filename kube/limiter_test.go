package kube

import (
	"context"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"
)

// TestLimiterBurstThenRate is the seed's property on a fake clock: with qps 1
// and burst 10, ten calls go at once, the eleventh waits; then one per second.
func TestLimiterBurstThenRate(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Unix(0, 0))
	l := newLimiterWithClock(1, 10, clk)
	got := 0
	for l.TryTake() {
		got++
		if got > 100 {
			break
		}
	}
	if got != 10 {
		t.Fatalf("burst: %d calls went at once, want 10", got)
	}
	for sec := 1; sec <= 5; sec++ {
		clk.Step(time.Second)
		if !l.TryTake() {
			t.Fatalf("second %d: no token", sec)
		}
		if l.TryTake() {
			t.Fatalf("second %d: two tokens", sec)
		}
	}
}

func TestLimiterUnlimitedAndCancel(t *testing.T) {
	u := NewLimiter(0, 0)
	for range 1000 {
		if !u.TryTake() {
			t.Fatal("qps 0 must not limit")
		}
	}
	l := NewLimiter(0.001, 1)
	_ = l.Wait(context.Background()) // the one free token
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx); err == nil {
		t.Fatal("Wait must fail when ctx ends before a token")
	}
}
