package cl2

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/perflab/perflab/kube"
)

// action is one replica's whole object bundle (create, update or delete).
type action func(ctx context.Context)

// pacer starts a phase's n actions the way its tuning set prescribes and
// returns when all started actions have finished. next yields the actions
// in order, one per call, so a phase never holds them all; the pacer stops
// calling it (and starting actions) when ctx is done.
type pacer interface {
	execute(ctx context.Context, n int, next func() action)
}

// pacers builds tuning sets by name. Global QPS tuning sets keep one token
// bucket per name for the whole test, shared by every phase using them.
type pacers struct {
	sets  map[string]*TuningSet
	clock clock.WithTicker
	rnd   *rand.Rand

	mu      sync.Mutex
	globals map[string]*kube.Limiter
}

func newPacers(sets []*TuningSet, clk clock.WithTicker, seed uint64) *pacers {
	p := &pacers{sets: map[string]*TuningSet{}, clock: clk, rnd: rand.New(rand.NewPCG(seed, seed+1)),
		globals: map[string]*kube.Limiter{}}
	for _, ts := range sets {
		if ts != nil {
			p.sets[ts.Name] = ts
		}
	}
	return p
}

func (p *pacers) get(name string) (pacer, error) {
	ts, ok := p.sets[name]
	if !ok {
		return nil, fmt.Errorf("tuning set %q not declared", name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	base := scheduled{clock: p.clock, delay: ts.InitialDelay.D()}
	// Random schedules draw their seeds now, under the lock.
	switch {
	case ts.QPSLoad != nil:
		base.offsets = func(n int) offsets { return qpsOffsets(ts.QPSLoad.QPS) }
	case ts.RandomizedLoad != nil:
		r := rand.New(rand.NewPCG(p.rnd.Uint64(), p.rnd.Uint64()))
		base.offsets = func(n int) offsets { return randomizedOffsets(ts.RandomizedLoad.AverageQPS, r) }
	case ts.SteppedLoad != nil:
		base.offsets = func(n int) offsets {
			return steppedOffsets(int(ts.SteppedLoad.BurstSize), ts.SteppedLoad.StepDelay.D())
		}
	case ts.TimeLimitedLoad != nil:
		base.offsets = func(n int) offsets { return timeLimitedOffsets(n, ts.TimeLimitedLoad.TimeLimit.D()) }
	case ts.RandomizedTimeLimitedLoad != nil:
		r := rand.New(rand.NewPCG(p.rnd.Uint64(), p.rnd.Uint64()))
		base.offsets = func(n int) offsets {
			return randomizedTimeLimitedOffsets(n, ts.RandomizedTimeLimitedLoad.TimeLimit.D(), r)
		}
	case ts.PoissonLoad != nil:
		r := rand.New(rand.NewPCG(p.rnd.Uint64(), p.rnd.Uint64()))
		base.offsets = func(n int) offsets { return poissonOffsets(ts.PoissonLoad.ExpectedActionsPerSecond, r) }
	case ts.ParallelismLimitedLoad != nil:
		return parallel{limit: int(ts.ParallelismLimitedLoad.ParallelismLimit), clock: p.clock, delay: base.delay}, nil
	case ts.GlobalQPSLoad != nil:
		l, ok := p.globals[name]
		if !ok {
			l = kube.NewLimiter(float32(ts.GlobalQPSLoad.QPS), ts.GlobalQPSLoad.Burst)
			p.globals[name] = l
		}
		return global{limiter: l, clock: p.clock, delay: base.delay}, nil
	default:
		return nil, fmt.Errorf("tuning set %q sets no load", name)
	}
	return base, nil
}

// offsets yields the start offsets of a phase's actions from the start of
// the phase, one per call, in non-decreasing order, in constant memory.
type offsets func() time.Duration

// qpsOffsets: one start every 1/qps.
func qpsOffsets(qps float64) offsets {
	step := time.Duration(float64(time.Second) / qps)
	var i time.Duration
	return func() time.Duration { i++; return (i - 1) * step }
}

// randomizedOffsets: gaps drawn uniformly from [0, 2/avg).
func randomizedOffsets(avg float64, r *rand.Rand) offsets {
	var at time.Duration
	return func() time.Duration {
		cur := at
		at += time.Duration(2 * r.Float64() * float64(time.Second) / avg)
		return cur
	}
}

// steppedOffsets: burst actions at once, then stepDelay.
func steppedOffsets(burst int, delay time.Duration) offsets {
	i := 0
	return func() time.Duration { i++; return time.Duration((i-1)/burst) * delay }
}

// timeLimitedOffsets: n starts spread evenly over limit.
func timeLimitedOffsets(n int, limit time.Duration) offsets {
	var step time.Duration
	if n > 0 {
		step = limit / time.Duration(n)
	}
	var i time.Duration
	return func() time.Duration { i++; return (i - 1) * step }
}

// randomizedTimeLimitedOffsets: n starts each uniform in [0, limit),
// independently, yielded in sorted order without holding them: the
// minimum of the k draws still to come, all above u, is
// u + (1-u)(1-V^(1/k)) for V uniform on [0, 1).
func randomizedTimeLimitedOffsets(n int, limit time.Duration, r *rand.Rand) offsets {
	u, k := 0.0, n
	return func() time.Duration {
		if k > 0 {
			u += (1 - u) * (1 - math.Pow(1-r.Float64(), 1/float64(k)))
			k--
		}
		return time.Duration(u * float64(limit))
	}
}

// poissonOffsets: exponential gaps with rate lambda per second.
func poissonOffsets(lambda float64, r *rand.Rand) offsets {
	var at time.Duration
	return func() time.Duration {
		cur := at
		at += time.Duration(float64(time.Second) * -math.Log(1-r.Float64()) / lambda)
		return cur
	}
}

// scheduled starts action i at its offset from the start of the phase.
type scheduled struct {
	clock   clock.WithTicker
	delay   time.Duration
	offsets func(n int) offsets
}

func (s scheduled) execute(ctx context.Context, n int, next func() action) {
	off := s.offsets(n)
	var wg sync.WaitGroup
	defer wg.Wait()
	start := s.clock.Now().Add(s.delay)
	for range n {
		if !sleepUntil(ctx, s.clock, start.Add(off())) {
			return
		}
		a := next()
		wg.Add(1)
		go func() { defer wg.Done(); a(ctx) }()
	}
}

// sleepUntil waits for the clock to reach t; false when ctx ended first.
func sleepUntil(ctx context.Context, clk clock.Clock, t time.Time) bool {
	d := t.Sub(clk.Now())
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := clk.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C():
		return true
	}
}

// parallel runs actions as fast as possible, at most limit at a time.
type parallel struct {
	limit int
	clock clock.WithTicker
	delay time.Duration
}

func (p parallel) execute(ctx context.Context, n int, next func() action) {
	if !sleepUntil(ctx, p.clock, p.clock.Now().Add(p.delay)) {
		return
	}
	sem := make(chan struct{}, p.limit)
	var wg sync.WaitGroup
	defer wg.Wait()
	for range n {
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
		a := next()
		wg.Add(1)
		go func() { defer wg.Done(); defer func() { <-sem }(); a(ctx) }()
	}
}

// global starts each action after taking a token from a bucket shared by
// every phase that names the same tuning set.
type global struct {
	limiter *kube.Limiter
	clock   clock.WithTicker
	delay   time.Duration
}

func (g global) execute(ctx context.Context, n int, next func() action) {
	if !sleepUntil(ctx, g.clock, g.clock.Now().Add(g.delay)) {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for range n {
		if err := g.limiter.Wait(ctx); err != nil {
			return
		}
		a := next()
		wg.Add(1)
		go func() { defer wg.Done(); a(ctx) }()
	}
}
