package kube

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// RetryPolicy is how a failed call is retried: jittered exponential backoff
// from Initial up to Max per wait, until Deadline has passed since the first
// attempt (0: only ctx bounds it).
type RetryPolicy struct {
	Initial  time.Duration
	Max      time.Duration
	Factor   float64
	Jitter   float64 // fraction of the wait added at random, 0..1
	Deadline time.Duration
}

// DefaultRetry is 200ms doubling to 10s with 50% jitter, bounded by ctx.
var DefaultRetry = RetryPolicy{Initial: 200 * time.Millisecond, Max: 10 * time.Second, Factor: 2, Jitter: 0.5}

// Retryable reports whether err is transient: 429 (the server's Retry-After is
// returned as the minimum wait), 5xx, server/client timeouts and broken
// connections. AlreadyExists, NotFound, Invalid, Forbidden and the like are not.
func Retryable(err error) (bool, time.Duration) {
	if err == nil {
		return false, 0
	}
	if secs, ok := apierrors.SuggestsClientDelay(err); ok && (apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err)) {
		return true, time.Duration(secs) * time.Second
	}
	switch {
	case apierrors.IsTooManyRequests(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err),
		apierrors.IsInternalError(err), apierrors.IsServiceUnavailable(err), apierrors.IsUnexpectedServerError(err):
		return true, 0
	}
	var se apierrors.APIStatus
	if errors.As(err, &se) && se.Status().Code >= 500 {
		return true, 0
	}
	if utilnet.IsConnectionReset(err) || utilnet.IsConnectionRefused(err) || utilnet.IsProbableEOF(err) || errors.Is(err, context.DeadlineExceeded) {
		return true, 0
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true, 0
	}
	return false, 0
}

// backoff returns the wait before attempt n (n >= 1).
func (p RetryPolicy) backoff(n int, floor time.Duration) time.Duration {
	d := p.Initial
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	f := p.Factor
	if f < 1 {
		f = 2
	}
	for i := 1; i < n && (p.Max <= 0 || d < p.Max); i++ {
		d = time.Duration(float64(d) * f)
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	if p.Jitter > 0 {
		d += time.Duration(rand.Float64() * p.Jitter * float64(d))
	}
	if d < floor {
		d = floor
	}
	return d
}

// do runs call until it succeeds, fails permanently, ctx ends or the policy's
// deadline passes. before is called ahead of every attempt (the limiter).
func (p RetryPolicy) do(ctx context.Context, before func(context.Context) error, onRetry func(), call func(context.Context) error) error {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		if err := before(ctx); err != nil {
			return err
		}
		err := call(ctx)
		retry, floor := Retryable(err)
		if !retry || ctx.Err() != nil {
			return err
		}
		wait := p.backoff(attempt, floor)
		if p.Deadline > 0 && time.Since(start)+wait > p.Deadline {
			return err
		}
		onRetry()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
