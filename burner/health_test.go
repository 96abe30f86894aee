package burner

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNodeProblems(t *testing.T) {
	node := func(conds ...corev1.NodeCondition) corev1.Node {
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Status: corev1.NodeStatus{Conditions: conds}}
	}
	ready := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue}
	for _, tc := range []struct {
		name string
		n    corev1.Node
		want int
	}{
		{"healthy", node(ready, corev1.NodeCondition{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse}), 0},
		{"not ready", node(corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionUnknown}), 1},
		{"pressure", node(ready, corev1.NodeCondition{Type: corev1.NodeDiskPressure, Status: corev1.ConditionTrue}), 1},
	} {
		if got := nodeProblems(&tc.n); len(got) != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}
