package wait

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPendingReasons(t *testing.T) {
	pending := func(name, msg string) corev1.Pod {
		p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}
		p.Status.Phase = corev1.PodPending
		if msg != "" {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: msg}}
		}
		return p
	}
	tooMany := "0/1 nodes are available: 1 Too many pods. no new claims to deallocate, preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
	running := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "ok", Namespace: "ns"}}
	running.Status.Phase = corev1.PodRunning
	running.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	pods := []corev1.Pod{pending("a", tooMany), pending("b", tooMany), pending("c", ""), running}
	got := pendingReasons(pods, map[string]string{"ns/c": "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: x"})
	want := []string{
		"2 pods Pending: 0/1 nodes are available: 1 Too many pods.",
		"1 pods Pending: 0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
