package burner

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/pager"

	"github.com/perflab/perflab/kube"
)

// ClusterHealth is kube-burner's cluster health check (health-check and
// global.clusterHealth): the API server's /healthz answers "ok", and every
// node is Ready with every other condition (MemoryPressure, DiskPressure,
// PIDPressure, NetworkUnavailable...) False. The error names each problem.
func ClusterHealth(ctx context.Context, c *kube.Client) error {
	body, err := c.Typed.Discovery().RESTClient().Get().AbsPath("/healthz").DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("cluster is not healthy: API server /healthz: %w: %s", err, body)
	}
	if string(body) != "ok" {
		return fmt.Errorf("cluster is not healthy: API server /healthz: %s", body)
	}
	// A page at a time: 5,000 nodes are not held at once.
	var problems []string
	err = pager.New(func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
		return c.Typed.CoreV1().Nodes().List(ctx, o)
	}).EachListItem(ctx, metav1.ListOptions{}, func(obj k8sruntime.Object) error {
		if n, ok := obj.(*corev1.Node); ok {
			problems = append(problems, nodeProblems(n)...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cluster health: list nodes: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("cluster is not healthy: %s", strings.Join(problems, "; "))
	}
	return nil
}

// nodeProblems lists what is wrong with a node by kube-burner's rule.
func nodeProblems(n *corev1.Node) []string {
	var out []string
	for _, c := range n.Status.Conditions {
		switch {
		case c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue:
			out = append(out, fmt.Sprintf("node %s is not Ready", n.Name))
		case c.Type != corev1.NodeReady && c.Status != corev1.ConditionFalse:
			out = append(out, fmt.Sprintf("node %s is experiencing %s", n.Name, c.Type))
		}
	}
	return out
}
