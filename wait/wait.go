package wait

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
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

// tracker keeps ready-or-not per object key from informer events.
type tracker struct {
	mu     sync.Mutex
	ready  map[string]bool
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
	key := u.GetNamespace() + "/" + u.GetName()
	r := t.pred == nil || t.pred(u)
	why := ""
	if !r && t.failed != nil {
		why = t.failed(u)
	}
	t.mu.Lock()
	t.ready[key] = r
	if why != "" && t.failure == "" {
		t.failure = key + ": " + why
	}
	t.mu.Unlock()
	t.poke()
}

func (t *tracker) del(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		t.mu.Lock()
		delete(t.ready, u.GetNamespace()+"/"+u.GetName())
		t.mu.Unlock()
		t.poke()
	}
}

func (t *tracker) poke() {
	select {
	case t.notify <- struct{}{}:
	default:
	}
}

func (t *tracker) status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := Status{Total: len(t.ready)}
	for k, r := range t.ready {
		if r {
			s.Ready++
		} else if len(s.NotReady) < 20 {
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

// stripManaged drops managedFields before objects enter the informer store.
func stripManaged(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// watch runs an informer for gvr/ns/selector feeding t until ctx ends; it
// returns once the initial list is in.
func watch(ctx context.Context, dyn dynamic.Interface, tg Target, t *tracker) error {
	inf := dynamicinformer.NewFilteredDynamicInformer(dyn, tg.GVR, tg.Namespace, 0, cache.Indexers{}, func(o *metav1.ListOptions) {
		o.LabelSelector = tg.Selector
		o.FieldSelector = tg.FieldSelector
	}).Informer()
	if err := inf.SetTransform(stripManaged); err != nil {
		return err
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    t.set,
		UpdateFunc: func(_, n any) { t.set(n) },
		DeleteFunc: t.del,
	}); err != nil {
		return err
	}
	go inf.RunWithContext(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
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
		s := t.status()
		if f := t.firstFailure(); f != "" {
			return s, fmt.Errorf("%s %s: %w: %s", gvr.Resource, selector, ErrFailed, f)
		}
		if done(s) {
			if progress != nil {
				progress(s)
			}
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, fmt.Errorf("%s %s: %d/%d ready: %w", gvr.Resource, selector, s.Ready, s.Total, ctxErr(ctx))
		case <-t.notify:
		case <-tick.C:
			if progress != nil {
				progress(s)
			}
		}
	}
}
