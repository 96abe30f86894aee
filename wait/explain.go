package wait

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/pager"
)

// DefaultMaxPodsHint is the advice given with "Too many pods" when the
// caller has none better.
const DefaultMaxPodsHint = "raise kubelet maxPods or add nodes"

// ExplainPods says why the pods matching selector in namespace ("" for all)
// are not Running and Ready: one line per phase and reason, largest group
// first, the reason being the scheduler's (PodScheduled condition, else the
// latest FailedScheduling event) or a waiting container's. "Too many pods"
// lines get what the nodes allow and maxPodsHint (how to raise it). Both
// kube-burner jobs and ClusterLoader2 waits print it when pods stay Pending.
func ExplainPods(ctx context.Context, cs kubernetes.Interface, namespace, selector, maxPodsHint string) ([]string, error) {
	events := map[string]string{} // ns/name → latest FailedScheduling message
	if ev, err := cs.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{FieldSelector: "reason=FailedScheduling"}); err == nil {
		for _, e := range ev.Items {
			events[e.InvolvedObject.Namespace+"/"+e.InvolvedObject.Name] = e.Message
		}
	}
	// A page at a time: a run of 150,000 pods is not held at once.
	groups := reasonGroups{}
	err := pager.New(func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
		return cs.CoreV1().Pods(namespace).List(ctx, o)
	}).EachListItem(ctx, metav1.ListOptions{LabelSelector: selector}, func(obj k8sruntime.Object) error {
		if p, ok := obj.(*corev1.Pod); ok {
			groups.add(p, events)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list pods %s: %w", selector, err)
	}
	lines := groups.lines()
	for i, l := range lines {
		if strings.Contains(l, "Too many pods") {
			lines[i] = l + " — " + nodeLimit(ctx, cs, maxPodsHint)
		}
	}
	return lines, nil
}

// pendingReasons groups pods that are not Ready by reason.
func pendingReasons(pods []corev1.Pod, events map[string]string) []string {
	g := reasonGroups{}
	for i := range pods {
		g.add(&pods[i], events)
	}
	return g.lines()
}

// reasonGroups counts pods that are not Ready by phase and reason.
type reasonGroups map[string]int

func (g reasonGroups) add(p *corev1.Pod, events map[string]string) {
	ready := false
	reason := ""
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			ready = true
		}
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Message != "" {
			reason = c.Message
		}
	}
	if ready && p.Status.Phase == corev1.PodRunning {
		return
	}
	if reason == "" {
		reason = events[p.Namespace+"/"+p.Name]
	}
	if reason == "" {
		reason = "not ready"
		for _, st := range p.Status.ContainerStatuses {
			if st.State.Waiting != nil && st.State.Waiting.Reason != "" {
				reason = st.State.Waiting.Reason
			}
		}
	}
	g[string(p.Status.Phase)+"\x00"+schedulingSummary(reason)]++
}

// lines is one line per group, largest first.
func (g reasonGroups) lines() []string {
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return g[keys[i]] > g[keys[j]] || g[keys[i]] == g[keys[j]] && keys[i] < keys[j]
	})
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		phase, reason, _ := strings.Cut(k, "\x00")
		if phase == "" {
			phase = "Unknown"
		}
		out = append(out, fmt.Sprintf("%d pods %s: %s", g[k], phase, reason))
	}
	return out
}

// nodeLimit says what the nodes allow and how to raise it.
func nodeLimit(ctx context.Context, cs kubernetes.Interface, hint string) string {
	if hint == "" {
		hint = DefaultMaxPodsHint
	}
	var n int
	var total int64
	err := pager.New(func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
		return cs.CoreV1().Nodes().List(ctx, o)
	}).EachListItem(ctx, metav1.ListOptions{}, func(obj k8sruntime.Object) error {
		if node, ok := obj.(*corev1.Node); ok {
			n++
			total += node.Status.Allocatable.Pods().Value()
		}
		return nil
	})
	if err != nil || n == 0 {
		return hint
	}
	if n == 1 {
		return fmt.Sprintf("node allows %d pods; %s", total, hint)
	}
	return fmt.Sprintf("%d nodes allow %d pods in total; %s", n, total, hint)
}

// schedulingSummary keeps the scheduler's first sentence ("0/1 nodes are
// available: 1 Too many pods.") and drops the preemption and claim notes.
func schedulingSummary(msg string) string {
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, "nodes are available:"); i >= 0 {
		if j := strings.Index(msg[i:], ". "); j >= 0 {
			return msg[:i+j+1]
		}
	}
	msg, _, _ = strings.Cut(msg, " preemption:")
	return msg
}
