package cl2

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/perflab/perflab/wait"
)

const (
	defaultWaitForPodsTimeout    = 60 * time.Second
	defaultOperationTimeout      = 10 * time.Minute
	defaultGenericObjectsTimeout = 30 * time.Minute
	// pollEvery is how often WaitForGenericK8sObjects lists its objects.
	pollEvery = time.Second
)

// waitForRunningPods is CL2's WaitForRunningPods on the shared waiter: it
// waits until at least desiredPodCount pods match the selector and all of
// them are Running.
type waitForRunningPods struct{}

func newWaitForRunningPods() measurement { return waitForRunningPods{} }

func (waitForRunningPods) dispose() {}

func podRunning(u *unstructured.Unstructured) bool {
	phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
	return phase == string(corev1.PodRunning)
}

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

func (waitForRunningPods) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	sel := selectorOf(c.params)
	want := c.params.Int("desiredPodCount", 0)
	wctx, cancel := context.WithTimeout(ctx, c.params.Duration("timeout", defaultWaitForPodsTimeout))
	defer cancel()
	st, err := wait.Until(wctx, e.dynamic, wait.Target{GVR: podsGVR, Namespace: sel.Namespace, Selector: sel.Labels, FieldSelector: sel.Fields, Ready: podRunning, Expected: want}, e.waitProgress)
	if err != nil {
		err = e.explainPending(ctx, sel, fmt.Errorf("%s %s: %d of %d desired pods running (%d matching): %w", c.method, sel, st.Ready, want, st.Total, err))
		if c.params.Bool("isFatal", false) {
			err = fmt.Errorf("%w: %w", errCritical, err)
		}
		return nil, err
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

// waitForControlledPods is CL2's WaitForControlledPodsRunning on the shared
// waiter: start remembers which controllers (apiVersion, kind, selector) to
// follow and lists them; gather waits until every such controller has all
// its pods running (and updated), and the pods of controllers deleted since
// start are gone.
type waitForControlledPods struct {
	gvk     schema.GroupVersionKind
	sel     podSelector
	timeout time.Duration
	updated bool
	seen    map[string]*unstructured.Unstructured // ns/name → last listed
	started bool
}

func newWaitForControlledPods() measurement { return &waitForControlledPods{} }

func (m *waitForControlledPods) dispose() {}

func (m *waitForControlledPods) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	switch c.action {
	case "start":
		m.gvk = schema.FromAPIVersionAndKind(c.params.Str("apiVersion", ""), c.params.Str("kind", ""))
		m.sel = selectorOf(c.params)
		m.timeout = c.params.Duration("operationTimeout", defaultOperationTimeout)
		m.updated = c.params.Bool("checkIfPodsAreUpdated", true)
		m.seen, m.started = map[string]*unstructured.Unstructured{}, true
		return nil, m.list(ctx, e)
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

// list remembers the current controllers, so that gather knows which were
// deleted in between.
func (m *waitForControlledPods) list(ctx context.Context, e *env) error {
	gvr, err := e.gvr(m.gvk)
	if err != nil {
		return err
	}
	items, err := e.ops.List(ctx, gvr, m.sel.Namespace, m.sel.Labels)
	if err != nil {
		return fmt.Errorf("list %s: %w", m.gvk.Kind, err)
	}
	for i := range items {
		m.seen[items[i].GetNamespace()+"/"+items[i].GetName()] = items[i].DeepCopy()
	}
	return nil
}

func (m *waitForControlledPods) gather(ctx context.Context, e *env, c call) error {
	gvr, err := e.gvr(m.gvk)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	ready := func(u *unstructured.Unstructured) bool { return controllerNotReady(u, m.updated) == "" }
	st, err := wait.Until(wctx, e.dynamic, wait.Target{GVR: gvr, Namespace: m.sel.Namespace, Selector: m.sel.Labels, FieldSelector: m.sel.Fields, Ready: ready}, e.waitProgress)
	if err != nil {
		return e.explainPending(ctx, m.sel, fmt.Errorf("%s: %d of %d %ss ready (not ready: %s): %w", c.method, st.Ready, st.Total, m.gvk.Kind, strings.Join(st.NotReady, ", "), err))
	}
	live := map[string]bool{}
	items, err := e.ops.List(ctx, gvr, m.sel.Namespace, m.sel.Labels)
	if err != nil {
		return err
	}
	for i := range items {
		live[items[i].GetNamespace()+"/"+items[i].GetName()] = true
	}
	for key, o := range m.seen {
		if live[key] {
			continue
		}
		sel, err := podSelectorOf(o)
		if err != nil || sel == "" {
			delete(m.seen, key)
			continue
		}
		if st, err := wait.Gone(wctx, e.dynamic, wait.Target{GVR: podsGVR, Namespace: o.GetNamespace(), Selector: sel}, nil); err != nil {
			return fmt.Errorf("%s: pods of deleted %s %s still exist (%d left): %w", c.method, m.gvk.Kind, key, st.Total, err)
		}
		delete(m.seen, key)
	}
	return m.list(ctx, e)
}

// podSelectorOf renders a controller's spec.selector as a selector string.
func podSelectorOf(o *unstructured.Unstructured) (string, error) {
	raw, ok, _ := unstructured.NestedMap(o.Object, "spec", "selector")
	if !ok {
		return "", nil
	}
	if o.GetKind() == "ReplicationController" {
		ls := metav1.LabelSelector{MatchLabels: map[string]string{}}
		for k, v := range raw {
			ls.MatchLabels[k] = fmt.Sprint(v)
		}
		return selectorString(&ls)
	}
	var ls metav1.LabelSelector
	if err := runtimeFromUnstructured(raw, &ls); err != nil {
		return "", err
	}
	return selectorString(&ls)
}

// controllerNotReady says why a controller's pods are not all running, or "".
func controllerNotReady(o *unstructured.Unstructured, checkUpdated bool) string {
	i := func(path ...string) int64 { v, _, _ := unstructured.NestedInt64(o.Object, path...); return v }
	// A Job's status has no observedGeneration (and its pod template cannot
	// change), so the generation check is for the other controllers only.
	if g, og := o.GetGeneration(), i("status", "observedGeneration"); og < g && o.GetKind() != "Job" {
		return fmt.Sprintf("observed generation %d < %d", og, g)
	}
	var want, ready, updated int64
	switch o.GetKind() {
	case "DaemonSet":
		want, ready, updated = i("status", "desiredNumberScheduled"), i("status", "numberReady"), i("status", "updatedNumberScheduled")
	case "Job":
		// CL2 wants parallelism pods Running and Ready (status.ready); a Job
		// with fewer completions left than that runs only those.
		want = i("spec", "parallelism")
		done := i("status", "succeeded")
		if c, ok, _ := unstructured.NestedInt64(o.Object, "spec", "completions"); ok && c-done < want {
			want = max(c-done, 0)
		}
		ready = i("status", "ready")
		if _, ok, _ := unstructured.NestedInt64(o.Object, "status", "ready"); !ok {
			ready = i("status", "active") // servers before JobReadyPods
		}
		updated = ready
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
	gvr := schema.GroupVersionResource{Group: c.params.Str("objectGroup", ""), Version: c.params.Str("objectVersion", ""), Resource: c.params.Str("objectResource", "")}
	namespaces, err := e.namespacesOf(c.params.mapping("namespaceRange"))
	if err != nil {
		return nil, err
	}
	okConds, badConds := c.params.strings("successfulConditions"), c.params.strings("failedConditions")
	want, maxFailed := c.params.Int("minDesiredObjectCount", 0), c.params.Int("maxFailedObjectCount", 0)
	var good, bad int
	err = pollUntil(ctx, e, c.params.Duration("timeout", defaultGenericObjectsTimeout), func() (bool, error) {
		good, bad = 0, 0
		for _, ns := range namespaces {
			items, err := e.ops.List(ctx, gvr, ns, c.params.Str("labelSelector", ""))
			if err != nil {
				return false, fmt.Errorf("list %s: %w", gvr.Resource, err)
			}
			for i := range items {
				switch {
				case hasCondition(&items[i], badConds):
					bad++
				case hasCondition(&items[i], okConds):
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
