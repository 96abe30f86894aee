package cl2

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	defaultWaitForPodsTimeout    = 60 * time.Second
	defaultOperationTimeout      = 10 * time.Minute
	defaultGenericObjectsTimeout = 30 * time.Minute
	// pollEvery bounds how long a satisfied wait goes unnoticed.
	pollEvery = time.Second
)

// waitForRunningPods is CL2's WaitForRunningPods: it waits until exactly
// desiredPodCount pods match the selector and all of them are Running.
type waitForRunningPods struct{}

func newWaitForRunningPods() measurement { return waitForRunningPods{} }

func (waitForRunningPods) dispose() {}

func (waitForRunningPods) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	want := c.params.integer("desiredPodCount", 0)
	timeout := c.params.duration("timeout", defaultWaitForPodsTimeout)
	var mu sync.Mutex
	running := map[string]bool{}
	stop, err := watchPods(ctx, e.client, selectorOf(c.params), func(p *corev1.Pod, deleted bool) {
		mu.Lock()
		defer mu.Unlock()
		key := p.Namespace + "/" + p.Name
		if deleted {
			delete(running, key)
			return
		}
		running[key] = p.Status.Phase == corev1.PodRunning
	})
	if err != nil {
		return nil, err
	}
	defer stop()
	status := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, r := range running {
			if r {
				n++
			}
		}
		return n, len(running)
	}
	err = pollUntil(ctx, e, timeout, func() (bool, error) {
		r, total := status()
		return r == want && total == want, nil
	})
	if err != nil {
		r, total := status()
		return nil, fmt.Errorf("%s %s: %d of %d desired pods running (%d matching): %w", c.method, selectorOf(c.params), r, want, total, err)
	}
	return nil, nil
}

// pollUntil checks cond every pollEvery until it holds, fails, or timeout.
func pollUntil(ctx context.Context, e *env, timeout time.Duration, cond func() (bool, error)) error {
	deadline := e.clock.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if !e.clock.Now().Before(deadline) {
			return fmt.Errorf("timed out after %v", timeout)
		}
		if !sleepUntil(ctx, e.clock, minTime(e.clock.Now().Add(pollEvery), deadline)) {
			return ctx.Err()
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// waitForControlledPods is CL2's WaitForControlledPodsRunning: start
// remembers which controllers (apiVersion, kind, selector) to follow; gather
// waits until every such controller has all its pods running and updated,
// and the pods of controllers deleted since start are gone.
type waitForControlledPods struct {
	gvk     schema.GroupVersionKind
	sel     podSelector
	timeout time.Duration
	updated bool
	seen    map[string]*unstructured.Unstructured // ns/name → last seen
	started bool
}

func newWaitForControlledPods() measurement { return &waitForControlledPods{} }

func (m *waitForControlledPods) dispose() {}

func (m *waitForControlledPods) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	switch c.action {
	case "start":
		m.gvk = schema.FromAPIVersionAndKind(c.params.str("apiVersion", ""), c.params.str("kind", ""))
		m.sel = selectorOf(c.params)
		m.timeout = c.params.duration("operationTimeout", defaultOperationTimeout)
		m.updated = c.params.boolean("checkIfPodsAreUpdated", true)
		m.seen, m.started = map[string]*unstructured.Unstructured{}, true
		_, err := m.list(ctx, e)
		return nil, err
	case "gather":
		if !m.started {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		return nil, m.gather(ctx, e, c)
	case "stop":
		m.started = false
		return nil, nil
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

// list returns the current controllers and remembers them for later deletes.
func (m *waitForControlledPods) list(ctx context.Context, e *env) ([]unstructured.Unstructured, error) {
	ri, err := e.resource(m.gvk, m.sel.namespace)
	if err != nil {
		return nil, err
	}
	l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: m.sel.labels, FieldSelector: m.sel.fields})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", m.gvk.Kind, err)
	}
	for i := range l.Items {
		o := &l.Items[i]
		m.seen[o.GetNamespace()+"/"+o.GetName()] = o.DeepCopy()
	}
	return l.Items, nil
}

func (m *waitForControlledPods) gather(ctx context.Context, e *env, c call) error {
	var pending []string
	err := pollUntil(ctx, e, m.timeout, func() (bool, error) {
		items, err := m.list(ctx, e)
		if err != nil {
			return false, err
		}
		live := map[string]bool{}
		pending = pending[:0]
		for i := range items {
			o := &items[i]
			live[o.GetNamespace()+"/"+o.GetName()] = true
			if why := controllerNotReady(o, m.updated); why != "" {
				pending = append(pending, fmt.Sprintf("%s/%s (%s)", o.GetNamespace(), o.GetName(), why))
			}
		}
		for key, o := range m.seen {
			if live[key] {
				continue
			}
			n, err := e.countOwnedPods(ctx, o)
			if err != nil {
				return false, err
			}
			if n > 0 {
				pending = append(pending, fmt.Sprintf("%s (deleted, %d pods left)", key, n))
			} else {
				delete(m.seen, key)
			}
		}
		return len(pending) == 0, nil
	})
	if err != nil {
		shown := pending
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(pending)-5))
		}
		return fmt.Errorf("%s: %d %ss not ready: %s: %w", c.method, len(pending), m.gvk.Kind, strings.Join(shown, ", "), err)
	}
	return nil
}

// controllerNotReady says why a controller's pods are not all running, or "".
func controllerNotReady(o *unstructured.Unstructured, checkUpdated bool) string {
	i := func(path ...string) int64 { v, _, _ := unstructured.NestedInt64(o.Object, path...); return v }
	if g, og := o.GetGeneration(), i("status", "observedGeneration"); og < g {
		return fmt.Sprintf("observed generation %d < %d", og, g)
	}
	var want, ready, updated int64
	switch o.GetKind() {
	case "DaemonSet":
		want, ready, updated = i("status", "desiredNumberScheduled"), i("status", "numberReady"), i("status", "updatedNumberScheduled")
	case "Job":
		want = i("spec", "parallelism")
		if c, ok, _ := unstructured.NestedInt64(o.Object, "spec", "completions"); ok && c < want {
			want = c
		}
		done := i("status", "succeeded")
		if done >= want {
			return ""
		}
		ready, updated = i("status", "active")+done, i("status", "active")+done
	default: // Deployment, ReplicaSet, StatefulSet, ReplicationController
		want, ready, updated = 1, i("status", "readyReplicas"), i("status", "updatedReplicas")
		if r, ok, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); ok {
			want = r
		}
		if o.GetKind() == "ReplicaSet" || o.GetKind() == "ReplicationController" {
			updated = ready
		}
		if total := i("status", "replicas"); total > want {
			return fmt.Sprintf("%d pods, want %d", total, want)
		}
	}
	if ready < want {
		return fmt.Sprintf("%d/%d running", ready, want)
	}
	if checkUpdated && updated < want {
		return fmt.Sprintf("%d/%d updated", updated, want)
	}
	return ""
}

// waitForGenericObjects is CL2's WaitForGenericK8sObjects: it waits until at
// least minDesiredObjectCount objects carry one of successfulConditions
// ("Type=Status") and at most maxFailedObjectCount one of failedConditions.
type waitForGenericObjects struct{}

func newWaitForGenericObjects() measurement { return waitForGenericObjects{} }

func (waitForGenericObjects) dispose() {}

func (waitForGenericObjects) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	gvr := schema.GroupVersionResource{Group: c.params.str("objectGroup", ""), Version: c.params.str("objectVersion", ""), Resource: c.params.str("objectResource", "")}
	namespaces, err := e.namespacesOf(c.params.mapping("namespaceRange"))
	if err != nil {
		return nil, err
	}
	okConds, badConds := c.params.strings("successfulConditions"), c.params.strings("failedConditions")
	want, maxFailed := c.params.integer("minDesiredObjectCount", 0), c.params.integer("maxFailedObjectCount", 0)
	var good, bad int
	err = pollUntil(ctx, e, c.params.duration("timeout", defaultGenericObjectsTimeout), func() (bool, error) {
		good, bad = 0, 0
		for _, ns := range namespaces {
			l, err := e.dynamic.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: c.params.str("labelSelector", "")})
			if err != nil {
				return false, fmt.Errorf("list %s: %w", gvr.Resource, err)
			}
			for i := range l.Items {
				switch {
				case hasCondition(&l.Items[i], badConds):
					bad++
				case hasCondition(&l.Items[i], okConds):
					good++
				}
			}
		}
		if bad > maxFailed {
			return false, fmt.Errorf("%d %s failed (max %d)", bad, gvr.Resource, maxFailed)
		}
		return good >= want, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %d of %d objects succeeded: %w", c.method, gvr.Resource, good, want, err)
	}
	return nil, nil
}

func hasCondition(o *unstructured.Unstructured, conds []string) bool {
	list, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range list {
		m, _ := c.(map[string]any)
		for _, want := range conds {
			typ, status, _ := strings.Cut(want, "=")
			if m["type"] == typ && m["status"] == status {
				return true
			}
		}
	}
	return false
}
