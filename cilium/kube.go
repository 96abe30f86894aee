package cilium

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/perflab/perflab/runenv"
)

// ClusterSource is what --from-cluster needs from a cluster.
type ClusterSource interface {
	// AgentConfig returns the data of the cilium-config ConfigMap.
	AgentConfig(ctx context.Context) (AgentConfig, error)
	// Nodes returns every node with its memory and CPU capacity.
	Nodes(ctx context.Context) ([]Node, error)
	// AgentMetrics returns the Prometheus exposition of each cilium agent
	// pod (through the API server's pod proxy), keyed by node name.
	AgentMetrics(ctx context.Context) (map[string][]byte, error)
}

// KubeSource reads a cluster through client-go.
type KubeSource struct {
	Client    kubernetes.Interface
	Namespace string // where Cilium runs, default kube-system
	// MetricsPort is the agent's prometheus-serve-addr port (chart default 9962).
	MetricsPort string
}

// NewKubeSource builds a KubeSource for env's cluster. It uses a JSON
// client of its own: the agents' /metrics answer through the pod proxy, and
// the shared bundle's protobuf Accept header is not theirs to negotiate.
func NewKubeSource(env *runenv.Env, namespace string) (*KubeSource, error) {
	c, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	if namespace == "" {
		namespace = "kube-system"
	}
	return &KubeSource{Client: c, Namespace: namespace, MetricsPort: "9962"}, nil
}

// AgentConfig implements ClusterSource.
func (k *KubeSource) AgentConfig(ctx context.Context) (AgentConfig, error) {
	cm, err := k.Client.CoreV1().ConfigMaps(k.Namespace).Get(ctx, "cilium-config", metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("configmap %s/cilium-config: %w", k.Namespace, err)
	}
	cfg := AgentConfig{}
	for key, v := range cm.Data {
		cfg[key] = v
	}
	return cfg, nil
}

// Nodes implements ClusterSource. MemTotal is the node's memory capacity
// (the kubelet reports MemTotal of /proc/meminfo there); possible CPUs are
// approximated by the CPU capacity (online CPUs; possible may be more).
func (k *KubeSource) Nodes(ctx context.Context) ([]Node, error) {
	list, err := k.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	var out []Node
	for _, n := range list.Items {
		mem := n.Status.Capacity[corev1.ResourceMemory]
		cpu := n.Status.Capacity[corev1.ResourceCPU]
		if mem.IsZero() {
			return nil, fmt.Errorf("node %s: no memory capacity in its status", n.Name)
		}
		out = append(out, Node{Name: n.Name, MemTotalBytes: uint64(mem.Value()), PossibleCPUs: max(1, int(cpu.Value()))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// AgentMetrics implements ClusterSource.
func (k *KubeSource) AgentMetrics(ctx context.Context) (map[string][]byte, error) {
	pods, err := k.Client.CoreV1().Pods(k.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=cilium"})
	if err != nil {
		return nil, fmt.Errorf("list cilium pods: %w", err)
	}
	if len(pods.Items) == 0 {
		return nil, fmt.Errorf("no pods with label k8s-app=cilium in %s", k.Namespace)
	}
	out := map[string][]byte{}
	for _, p := range pods.Items {
		raw, err := k.Client.CoreV1().Pods(k.Namespace).ProxyGet("http", p.Name, k.MetricsPort, "metrics", nil).DoRaw(ctx)
		if err != nil {
			return nil, fmt.Errorf("pod %s metrics (needs prometheus.enabled=true): %w", p.Name, err)
		}
		out[p.Spec.NodeName] = raw
	}
	return out, nil
}
