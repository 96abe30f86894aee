package kube

import (
	"context"

	"k8s.io/client-go/util/flowcontrol"
)

// Defaults used when a job sets no rate, as kube-burner does (client-go's).
const (
	DefaultQPS   = 5
	DefaultBurst = 10
)

// Limiter is one job's token bucket (client-go flowcontrol): a full bucket of
// Burst tokens, refilled at QPS per second. Every API call of the job takes one
// token, including retries. With QPS 1 and Burst 10, ten calls go at once and
// then one per second.
type Limiter struct {
	rl         flowcontrol.RateLimiter
	qps        float32
	burst      int
	unthrottle bool
}

// NewLimiter returns a bucket of burst tokens refilled at qps per second.
// qps <= 0 means no limit.
func NewLimiter(qps float32, burst int) *Limiter {
	if qps <= 0 {
		return &Limiter{unthrottle: true}
	}
	if burst < 1 {
		burst = 1
	}
	return &Limiter{rl: flowcontrol.NewTokenBucketRateLimiter(qps, burst), qps: qps, burst: burst}
}

// newLimiterWithClock is NewLimiter on an injected clock (tests).
func newLimiterWithClock(qps float32, burst int, c flowcontrol.Clock) *Limiter {
	return &Limiter{rl: flowcontrol.NewTokenBucketRateLimiterWithClock(qps, burst, c), qps: qps, burst: burst}
}

// TryTake takes a token if one is available now, without waiting.
func (l *Limiter) TryTake() bool {
	if l == nil || l.unthrottle {
		return true
	}
	return l.rl.TryAccept()
}

// Wait blocks until a token is available or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil || l.unthrottle {
		return ctx.Err()
	}
	return l.rl.Wait(ctx)
}

// QPS and Burst report the configured rate.
func (l *Limiter) QPS() float32 { return l.qps }
func (l *Limiter) Burst() int   { return l.burst }
