package cl2

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	testclock "k8s.io/utils/clock/testing"
)

// take draws n offsets.
func take(n int, o offsets) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = o()
	}
	return out
}

// fromSlice hands a slice of actions to a pacer.
func fromSlice(acts []action) (int, func() action) {
	i := 0
	return len(acts), func() action { i++; return acts[i-1] }
}

func TestOffsets(t *testing.T) {
	s := time.Second
	tests := []struct {
		name string
		got  []time.Duration
		want []time.Duration
	}{
		{"qps 2", take(4, qpsOffsets(2)), []time.Duration{0, s / 2, s, 3 * s / 2}},
		{"stepped 2 per 5s", take(5, steppedOffsets(2, 5*s)), []time.Duration{0, 0, 5 * s, 5 * s, 10 * s}},
		{"time limited 10s", take(4, timeLimitedOffsets(4, 10*s)), []time.Duration{0, 2500 * time.Millisecond, 5 * s, 7500 * time.Millisecond}},
		{"time limited none", take(0, timeLimitedOffsets(0, s)), []time.Duration{}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestRandomOffsetsBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	ro := take(1000, randomizedOffsets(10, r)) // gaps in [0, 200ms)
	for i := 1; i < len(ro); i++ {
		if gap := ro[i] - ro[i-1]; gap < 0 || gap >= 200*time.Millisecond {
			t.Fatalf("randomized gap %v outside [0, 200ms)", gap)
		}
	}
	// Mean gap of 1000 uniform draws on [0, 200ms) is near 100ms.
	if mean := ro[len(ro)-1] / 999; mean < 90*time.Millisecond || mean > 110*time.Millisecond {
		t.Errorf("randomized mean gap %v, want about 100ms", mean)
	}
	rtl := take(1000, randomizedTimeLimitedOffsets(1000, time.Second, r))
	for i, o := range rtl {
		if o < 0 || o >= time.Second || (i > 0 && o < rtl[i-1]) {
			t.Fatalf("randomized time-limited offset %d = %v outside [0, 1s) or out of order", i, o)
		}
	}
	// 1000 uniform starts on [0, 1s): about 250 in each quarter second.
	for q := range 4 {
		n := 0
		for _, o := range rtl {
			if o >= time.Duration(q)*250*time.Millisecond && o < time.Duration(q+1)*250*time.Millisecond {
				n++
			}
		}
		if n < 200 || n > 300 {
			t.Errorf("randomized time-limited: %d starts in quarter %d, want about 250", n, q)
		}
	}
	po := take(2000, poissonOffsets(20, r)) // mean gap 50ms
	if mean := po[len(po)-1] / 1999; mean < 45*time.Millisecond || mean > 55*time.Millisecond {
		t.Errorf("poisson mean gap %v, want about 50ms", mean)
	}
}

// TestScheduledUsesClock drives a qps tuning set with a fake clock: actions
// start only as the clock reaches their offsets.
func TestScheduledUsesClock(t *testing.T) {
	clk := testclock.NewFakeClock(time.Unix(0, 0))
	p := newPacers([]*TuningSet{{Name: "q", QPSLoad: &QPSLoad{QPS: 1}}}, clk, 1)
	pc, err := p.get("q")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var started []time.Time
	acts := make([]action, 3)
	for i := range acts {
		acts[i] = func(context.Context) { mu.Lock(); started = append(started, clk.Now()); mu.Unlock() }
	}
	done := make(chan struct{})
	go func() { n, next := fromSlice(acts); pc.execute(context.Background(), n, next); close(done) }()
	for i := 0; i < 2; i++ {
		for !clk.HasWaiters() {
			time.Sleep(time.Millisecond)
		}
		clk.Step(time.Second)
	}
	<-done
	want := []time.Time{time.Unix(0, 0), time.Unix(1, 0), time.Unix(2, 0)}
	slices.SortFunc(started, func(a, b time.Time) int { return a.Compare(b) })
	if !slices.EqualFunc(started, want, time.Time.Equal) {
		t.Errorf("started at %v, want %v", started, want)
	}
}

func TestParallelismLimit(t *testing.T) {
	p := newPacers([]*TuningSet{{Name: "p", ParallelismLimitedLoad: &ParallelismLimitedLoad{ParallelismLimit: 2}}}, testclock.NewFakeClock(time.Unix(0, 0)), 1)
	pc, _ := p.get("p")
	var mu sync.Mutex
	cur, peak, n := 0, 0, 0
	acts := make([]action, 20)
	for i := range acts {
		acts[i] = func(context.Context) {
			mu.Lock()
			cur++
			n++
			peak = max(peak, cur)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			cur--
			mu.Unlock()
		}
	}
	na, next := fromSlice(acts)
	pc.execute(context.Background(), na, next)
	if n != 20 || peak > 2 {
		t.Errorf("ran %d actions with peak parallelism %d, want 20 and <= 2", n, peak)
	}
}

func TestGlobalQPSShared(t *testing.T) {
	p := newPacers([]*TuningSet{{Name: "g", GlobalQPSLoad: &GlobalQPSLoad{QPS: 1000, Burst: 5}}}, testclock.NewFakeClock(time.Unix(0, 0)), 1)
	a, _ := p.get("g")
	b, _ := p.get("g")
	if a.(global).limiter != b.(global).limiter {
		t.Error("two phases naming one globalQPSLoad must share its token bucket")
	}
	if _, err := p.get("missing"); err == nil {
		t.Error("unknown tuning set should fail")
	}
}

func TestPlanReplicas(t *testing.T) {
	tests := []struct {
		cur, want int32
		plan      []replicaOp
	}{
		{0, 2, []replicaOp{{opCreate, "ns-1", 0}, {opCreate, "ns-1", 1}}},
		{2, 2, []replicaOp{{opPatch, "ns-1", 0}, {opPatch, "ns-1", 1}}},
		{3, 1, []replicaOp{{opDelete, "ns-1", 2}, {opDelete, "ns-1", 1}}},
		{2, 3, []replicaOp{{opCreate, "ns-1", 2}}},
		{0, 0, nil},
	}
	for _, tt := range tests {
		p := replicaPlan{"ns-1", tt.cur, tt.want}
		var got []replicaOp
		for k := range p.len() {
			got = append(got, p.op(k))
		}
		if !slices.Equal(got, tt.plan) {
			t.Errorf("%d -> %d: got %v, want %v", tt.cur, tt.want, got, tt.plan)
		}
	}
	n, next := phaseOps([]replicaPlan{{"a", 0, 2}, {"b", 1, 1}, {"c", 0, 0}, {"d", 2, 1}})
	var got []replicaOp
	for range n {
		got = append(got, next())
	}
	want := []replicaOp{{opCreate, "a", 0}, {opCreate, "a", 1}, {opPatch, "b", 0}, {opDelete, "d", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("phaseOps: got %v, want %v", got, want)
	}
}
