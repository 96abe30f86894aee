package kube

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestRetryable(t *testing.T) {
	gr := schema.GroupResource{Resource: "pods"}
	for _, tc := range []struct {
		name  string
		err   error
		retry bool
		floor time.Duration
	}{
		{"nil", nil, false, 0},
		{"429 retry-after", apierrors.NewTooManyRequests("slow down", 3), true, 3 * time.Second},
		{"500", apierrors.NewInternalError(errors.New("boom")), true, 0},
		{"503", apierrors.NewServiceUnavailable("x"), true, 0},
		{"timeout", apierrors.NewTimeoutError("x", 0), true, 0},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true, 0},
		{"exists", apierrors.NewAlreadyExists(gr, "a"), false, 0},
		{"no default serviceaccount yet", apierrors.NewForbidden(gr, "p", errors.New(`error looking up service account ns/default: serviceaccount "default" not found`)), true, 0},
		{"forbidden", apierrors.NewForbidden(gr, "p", errors.New("no")), false, 0},
		{"notfound", apierrors.NewNotFound(gr, "a"), false, 0},
		{"invalid", apierrors.NewBadRequest("bad"), false, 0},
	} {
		r, f := Retryable(tc.err)
		if r != tc.retry || f != tc.floor {
			t.Errorf("%s: got (%v,%v) want (%v,%v)", tc.name, r, f, tc.retry, tc.floor)
		}
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	p := RetryPolicy{Initial: 100 * time.Millisecond, Max: time.Second, Factor: 2}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := p.backoff(i+1, 0); got != w*time.Millisecond {
			t.Errorf("attempt %d: %v want %v", i+1, got, w*time.Millisecond)
		}
	}
	if got := p.backoff(1, 5*time.Second); got != 5*time.Second {
		t.Errorf("Retry-After floor ignored: %v", got)
	}
	j := RetryPolicy{Initial: 100 * time.Millisecond, Jitter: 0.5}
	for range 50 {
		if d := j.backoff(1, 0); d < 100*time.Millisecond || d > 150*time.Millisecond {
			t.Fatalf("jitter out of range: %v", d)
		}
	}
}

func TestRetryDoStopsOnPermanentAndCounts(t *testing.T) {
	p := RetryPolicy{Initial: time.Millisecond, Max: 2 * time.Millisecond}
	calls, retries := 0, 0
	err := p.do(context.Background(), func(context.Context) error { return nil }, func() { retries++ }, func(context.Context) error {
		calls++
		if calls < 3 {
			return apierrors.NewInternalError(errors.New("x"))
		}
		return apierrors.NewAlreadyExists(schema.GroupResource{Resource: "x"}, "y")
	})
	if !apierrors.IsAlreadyExists(err) || calls != 3 || retries != 2 {
		t.Errorf("err=%v calls=%d retries=%d", err, calls, retries)
	}
	dl := RetryPolicy{Initial: 50 * time.Millisecond, Deadline: 10 * time.Millisecond}
	calls = 0
	_ = dl.do(context.Background(), func(context.Context) error { return nil }, func() {}, func(context.Context) error {
		calls++
		return apierrors.NewInternalError(errors.New("x"))
	})
	if calls != 1 {
		t.Errorf("deadline not honoured: %d calls", calls)
	}
}

func TestLabels(t *testing.T) {
	l := ObjectLabels("u", "r", "j", 2, 7, 1)
	for k, v := range map[string]string{LabelUUID: "u", LegacyLabelUUID: "u", LabelRunID: "r", LabelJob: "j", LegacyLabelJob: "j",
		LabelIndex: "2", LegacyLabelIndex: "2", LabelJobIteration: "7", LabelReplica: "1"} {
		if l[k] != v {
			t.Errorf("%s = %q want %q", k, l[k], v)
		}
	}
}

func TestResourcePath(t *testing.T) {
	for _, tc := range []struct {
		gvr  schema.GroupVersionResource
		ns   string
		want string
	}{
		{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "a", "/api/v1/namespaces/a/configmaps"},
		{schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, "", "/api/v1/namespaces"},
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "b", "/apis/apps/v1/namespaces/b/deployments"},
		{schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}, "", "/apis/rbac.authorization.k8s.io/v1/clusterroles"},
	} {
		if got := resourcePath(tc.gvr, tc.ns); got != tc.want {
			t.Errorf("%v %q: %s want %s", tc.gvr, tc.ns, got, tc.want)
		}
	}
}

// A call whose turn in the token bucket comes after its context's deadline
// is never sent: it counts as NotSent, not as an error of the API server.
func TestNotSentBeforeDeadline(t *testing.T) {
	o := NewOps(nil, NewLimiter(1, 1), DefaultRetry, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	sent := 0
	for range 5 {
		err := o.run(ctx, func(context.Context) error { sent++; return nil })
		if err != nil && !errors.Is(err, ErrNotSent) {
			t.Fatalf("want ErrNotSent, got %v", err)
		}
	}
	if sent != 1 || o.Stats.NotSent.Load() != 4 || o.Stats.Errors.Load() != 0 {
		t.Errorf("sent %d, not sent %d, errors %d; want 1, 4, 0", sent, o.Stats.NotSent.Load(), o.Stats.Errors.Load())
	}
}
