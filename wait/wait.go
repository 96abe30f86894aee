package wait

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/perflab/perflab/kube"
)

// Target is a set of objects to wait for.
type Target struct {
	GVR       schema.GroupVersionResource
	Namespace string // "" for all namespaces
	Selector  string // label selector
	// FieldSelector narrows the watch further (e.g. metadata.name=x).
	FieldSelector string
	Ready         Predicate
	// Failed, if not nil, says why an object can no longer become ready
	// ("" while it still can); the first such object ends Until with
	// ErrFailed.
	Failed Failure
	// Expected is the least number of objects that must exist (and be ready);
	// 0 waits for whatever exists once the initial list is in.
	Expected int
}

// Status is a snapshot of a wait.
type Status struct {
	Total, Ready int
	// NotReady names up to 20 objects not ready yet, as namespace/name.
	NotReady []string
}

// ErrTimeout is returned (wrapped) when ctx's deadline passes first.
var ErrTimeout = errors.New("timed out waiting")

// ErrFailed is returned (wrapped) when Target.Failed names an object.
var ErrFailed = errors.New("failed")

// Failure says why one object can no longer become ready, or "".
type Failure func(u *unstructured.Unstructured) string

// tracker keeps ready-or-not per object key (cache.MetaNamespaceKeyFunc's)
// and the number ready; the objects themselves are not kept.
type tracker struct {
	mu     sync.Mutex
	ready  map[string]bool
	nReady int
	pred   Predicate
	failed Failure
	// failure is the first object Failed named: "namespace/name: why".
	failure string
	notify  chan struct{}
}

func (t *tracker) set(obj any) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	key := u.GetName()
	if ns := u.GetNamespace(); ns != "" {
		key = ns + "/" + key
	}
	r := t.pred == nil || t.pred(u)
	why := ""
	if !r && t.failed != nil {
		why = t.failed(u)
	}
	t.mu.Lock()
	if was, ok := t.ready[key]; ok && was {
		t.nReady--
	}
	t.ready[key] = r
	if r {
		t.nReady++
	}
	if why != "" && t.failure == "" {
		t.failure = u.GetNamespace() + "/" + u.GetName() + ": " + why
	}
	t.mu.Unlock()
	t.poke()
}

func (t *tracker) del(key string) {
	t.mu.Lock()
	t.forget(key)
	t.mu.Unlock()
	t.poke()
}

func (t *tracker) forget(key string) {
	if r, ok := t.ready[key]; ok {
		if r {
			t.nReady--
		}
		delete(t.ready, key)
	}
}

// listed forgets the objects a complete list no longer has.
func (t *tracker) listed(keys []string) {
	have := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		have[k] = struct{}{}
	}
	t.mu.Lock()
	for k := range t.ready {
		if _, ok := have[k]; !ok {
			t.forget(k)
		}
	}
	t.mu.Unlock()
	t.poke()
}

func (t *tracker) poke() {
	select {
	case t.notify <- struct{}{}:
	default:
	}
}

// counts is the status without names, cheap enough for every event.
func (t *tracker) counts() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Status{Total: len(t.ready), Ready: t.nReady}
}

func (t *tracker) status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := Status{Total: len(t.ready), Ready: t.nReady}
	for k, r := range t.ready {
		if len(s.NotReady) == min(20, s.Total-s.Ready) {
			break
		}
		if !r {
			if !strings.Contains(k, "/") {
				k = "/" + k // cluster-scoped: namespace/name with no namespace
			}
			s.NotReady = append(s.NotReady, k)
		}
	}
	sort.Strings(s.NotReady)
	return s
}

func (t *tracker) firstFailure() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failure
}

// watch lists and watches tg's objects into t until ctx ends, keeping no
// object (kube.Sink); it returns once the initial list is in.
func watch(ctx context.Context, dyn dynamic.Interface, tg Target, t *tracker) error {
	res := dyn.Resource(tg.GVR).Namespace(tg.Namespace)
	lw := kube.ListWatch(dyn, func(o *metav1.ListOptions) {
		o.LabelSelector = tg.Selector
		o.FieldSelector = tg.FieldSelector
	}, func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) { return res.List(ctx, o) }, res.Watch)
	sink := &kube.Sink{Observe: t.set, Deleted: t.del, Listed: t.listed}
	if kube.Reflect(ctx, "wait "+tg.GVR.Resource, lw, &unstructured.Unstructured{}, sink) != nil {
		return ctxErr(ctx)
	}
	return nil
}

func ctxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ErrTimeout
	}
	return ctx.Err()
}

// Until blocks until every object of t is ready (and at least t.Expected
// exist), or ctx ends. progress, if not nil, is called at most once a second
// with the current status. The last status is returned in every case.
func Until(ctx context.Context, dyn dynamic.Interface, t Target, progress func(Status)) (Status, error) {
	return run(ctx, dyn, t, progress, func(s Status) bool {
		return s.Ready == s.Total && s.Total >= t.Expected
	})
}

// Gone blocks until no object of t (GVR, Namespace, selectors) exists, or ctx
// ends. t.Ready and t.Expected are ignored.
func Gone(ctx context.Context, dyn dynamic.Interface, t Target, progress func(Status)) (Status, error) {
	t.Ready = nil
	return run(ctx, dyn, t, progress, func(s Status) bool { return s.Total == 0 })
}

func run(ctx context.Context, dyn dynamic.Interface, tg Target, progress func(Status), done func(Status) bool) (Status, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &tracker{ready: map[string]bool{}, pred: tg.Ready, failed: tg.Failed, notify: make(chan struct{}, 1)}
	gvr, selector := tg.GVR, tg.Selector+tg.FieldSelector
	if err := watch(wctx, dyn, tg, t); err != nil {
		return t.status(), fmt.Errorf("watch %s: %w", gvr.Resource, err)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if f := t.firstFailure(); f != "" {
			s := t.status()
			return s, fmt.Errorf("%s %s: %w: %s", gvr.Resource, selector, ErrFailed, f)
		}
		if done(t.counts()) {
			s := t.status()
			if progress != nil {
				progress(s)
			}
			return s, nil
		}
		select {
		case <-ctx.Done():
			s := t.status()
			return s, fmt.Errorf("%s %s: %d/%d ready: %w", gvr.Resource, selector, s.Ready, s.Total, ctxErr(ctx))
		case <-t.notify:
		case <-tick.C:
			if progress != nil {
				progress(t.status())
			}
		}
	}
}
