package main

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/perflab/perflab/cilium"
	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/target"
)

// TestCiliumFromCluster runs `perflab cilium maps --from-cluster` against an
// embedded cluster (the only test here that needs one, so it starts and
// stops it itself). Its two nodes are shaped like the seed's kind node:
// MemTotal 5036000 kB (the kubelet reports MemTotal as capacity, in Ki)
// and 7 CPUs.
func TestCiliumFromCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 2, NodeCPU: "7", NodeMemory: "5036000Ki"})
	if err != nil {
		t.Fatalf("embedded cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	args := []string{"cilium", "maps", "--from-cluster", "--kubeconfig", c.Kubeconfig()}
	// No cilium-config yet: a clear error naming the ConfigMap.
	if _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), "configmap kube-system/cilium-config") {
		t.Fatalf("err = %v", err)
	}
	client, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	// What the seed's `helm upgrade --set bpf.distributedLRU.enabled=true
	// --set bpf.mapDynamicSizeRatio=0.01` writes into cilium-config.
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cilium-config", Namespace: "kube-system"},
		Data: map[string]string{
			"bpf-map-dynamic-size-ratio": "0.01", "bpf-distributed-lru": "true",
			"bpf-lb-map-max": "65536", "bpf-policy-map-max": "16384", "bpf-policy-stats-map-max": "65536",
			"routing-mode": "tunnel",
		},
	}
	if _, err := client.CoreV1().ConfigMaps("kube-system").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	text, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text, "BPF Maps:   dynamic sizing: on (ratio: 0.010000)"); n != 2 {
		t.Errorf("%d tables, want one per node:\n%s", n, text)
	}
	for _, row := range []string{"TCP connection tracking       180943", "Non-TCP connection tracking   90475",
		"NAT                           180943", "Neighbor table                180943", "Policy stats                  65534",
		"Sock reverse NAT              90475", "MemTotal 5036000 kB, 7 CPUs"} {
		if strings.Count(text, row) != 2 {
			t.Errorf("want %q on both nodes:\n%s", row, text)
		}
	}
	// Agent metrics need cilium pods; the embedded cluster has none.
	env, err := target.FromCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	src, err := cilium.NewKubeSource(env, "kube-system")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.AgentMetrics(ctx); err == nil || !strings.Contains(err.Error(), "k8s-app=cilium") {
		t.Errorf("AgentMetrics err = %v", err)
	}
}
