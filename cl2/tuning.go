package cl2

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/perflab/perflab/kube"
)

// action is one replica's whole object bundle (create, update or delete).
type action func(ctx context.Context)

// pacer starts a phase's actions the way its tuning set prescribes and
// returns when all started actions have finished. It stops starting new
// actions when ctx is done.
type pacer interface {
	execute(ctx context.Context, actions []action)
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
	// Random schedules draw their numbers now, under the lock.
	switch {
	case ts.QPSLoad != nil:
		base.offsets = func(n int) []time.Duration { return qpsOffsets(n, ts.QPSLoad.QPS) }
	case ts.RandomizedLoad != nil:
		r := rand.New(rand.NewPCG(p.rnd.Uint64(), p.rnd.Uint64()))
		base.offsets = func(n int) []time.Duration { return randomizedOffsets(n, ts.RandomizedLoad.AverageQPS, r) }
	case ts.SteppedLoad != nil:
		base.offsets = func(n int) []time.Duration {
			return steppedOffsets(n, int(ts.SteppedLoad.BurstSize), ts.SteppedLoad.StepDelay.D())
		}
	case ts.TimeLimitedLoad != nil:
		base.offsets = func(n int) []time.Duration { return timeLimitedOffsets(n, ts.TimeLimitedLoad.TimeLimit.D()) }
	case ts.RandomizedTimeLimitedLoad != nil:
		r := rand.New(rand.NewPCG(p.rnd.Uint64(), p.rnd.Uint64()))
		base.offsets = func(n int) []time.Duration {
			return randomizedTimeLimitedOffsets(n, ts.RandomizedTimeLimitedLoad.TimeLimit.D(), r)
		}
	case ts.PoissonLoad != nil:
		r := rand.New(rand.NewPCG(p.rnd.Uint64(), p.rnd.Uint64()))
		base.offsets = func(n int) []time.Duration { return poissonOffsets(n, ts.PoissonLoad.ExpectedActionsPerSecond, r) }
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

// qpsOffsets: one start every 1/qps.
func qpsOffsets(n int, qps float64) []time.Duration {
	out := make([]time.Duration, n)
	step := time.Duration(float64(time.Second) / qps)
	for i := range out {
		out[i] = time.Duration(i) * step
	}
	return out
}

// randomizedOffsets: gaps drawn uniformly from [0, 2/avg).
func randomizedOffsets(n int, avg float64, r *rand.Rand) []time.Duration {
	out := make([]time.Duration, n)
	var at time.Duration
	for i := range out {
		out[i] = at
		at += time.Duration(2 * r.Float64() * float64(time.Second) / avg)
	}
	return out
}

// steppedOffsets: burst actions at once, then stepDelay.
func steppedOffsets(n, burst int, delay time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i/burst) * delay
	}
	return out
}

// timeLimitedOffsets: starts spread evenly over limit.
func timeLimitedOffsets(n int, limit time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	if n == 0 {
		return out
	}
	step := limit / time.Duration(n)
	for i := range out {
		out[i] = time.Duration(i) * step
	}
	return out
}

// randomizedTimeLimitedOffsets: each start uniform in [0, limit), independently.
func randomizedTimeLimitedOffsets(n int, limit time.Duration, r *rand.Rand) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		if limit > 0 {
			out[i] = time.Duration(r.Int64N(int64(limit)))
		}
	}
	return out
}

// poissonOffsets: exponential gaps with rate lambda per second.
func poissonOffsets(n int, lambda float64, r *rand.Rand) []time.Duration {
	out := make([]time.Duration, n)
	var at time.Duration
	for i := range out {
		out[i] = at
		at += time.Duration(float64(time.Second) * -math.Log(1-r.Float64()) / lambda)
	}
	return out
}

// scheduled starts action i at its offset from the start of the phase.
type scheduled struct {
	clock   clock.WithTicker
	delay   time.Duration
	offsets func(n int) []time.Duration
}

func (s scheduled) execute(ctx context.Context, actions []action) {
	offs := s.offsets(len(actions))
	order := make([]int, len(actions))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return offs[order[a]] < offs[order[b]] })
	var wg sync.WaitGroup
	defer wg.Wait()
	start := s.clock.Now().Add(s.delay)
	for _, i := range order {
		if !sleepUntil(ctx, s.clock, start.Add(offs[i])) {
			return
		}
		wg.Add(1)
		go func() { defer wg.Done(); actions[i](ctx) }()
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

func (p parallel) execute(ctx context.Context, actions []action) {
	if !sleepUntil(ctx, p.clock, p.clock.Now().Add(p.delay)) {
		return
	}
	sem := make(chan struct{}, p.limit)
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, a := range actions {
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
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

func (g global) execute(ctx context.Context, actions []action) {
	if !sleepUntil(ctx, g.clock, g.clock.Now().Add(g.delay)) {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, a := range actions {
		if err := g.limiter.Wait(ctx); err != nil {
			return
		}
		wg.Add(1)
		go func() { defer wg.Done(); a(ctx) }()
	}
}
