package cilium_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/cilium"
	"github.com/perflab/perflab/cluster"
)

// The embedded cluster is started once per package, lazily, by the tests
// that need it (so fuzzing and unit tests do not pay for it), and stopped
// in TestMain.
var (
	clusterOnce sync.Once
	embedded    *cluster.Cluster
	clusterErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if embedded != nil {
		if err := embedded.Stop(); err != nil && code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// seedCluster has two nodes shaped like the seed's kind node: MemTotal
// 5036000 kB (the kubelet reports MemTotal as capacity, in Ki) and 7 CPUs.
func seedCluster(t *testing.T) *cluster.Cluster {
	t.Helper()
	clusterOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		embedded, clusterErr = cluster.Start(ctx, cluster.Options{Nodes: 2, NodeCPU: "7", NodeMemory: "5036000Ki"})
	})
	if clusterErr != nil {
		t.Fatalf("embedded cluster: %v", clusterErr)
	}
	return embedded
}

func TestMapsFromCluster(t *testing.T) {
	c := seedCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	src, err := cilium.NewKubeSource(c.RESTConfig(), "kube-system")
	if err != nil {
		t.Fatal(err)
	}
	o := cilium.MapsOptions{FromCluster: true, Cluster: src}
	var out, errOut bytes.Buffer
	// No cilium-config yet: a clear error naming the ConfigMap.
	if err := cilium.RunMaps(ctx, o, &out, &errOut); err == nil || !strings.Contains(err.Error(), "configmap kube-system/cilium-config") {
		t.Fatalf("err = %v", err)
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
	if _, err := src.Client.CoreV1().ConfigMaps("kube-system").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = src.Client.CoreV1().ConfigMaps("kube-system").Delete(context.Background(), "cilium-config", metav1.DeleteOptions{})
	})
	out.Reset()
	if err := cilium.RunMaps(ctx, o, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	text := out.String()
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
	if _, err := src.AgentMetrics(ctx); err == nil || !strings.Contains(err.Error(), "k8s-app=cilium") {
		t.Errorf("AgentMetrics err = %v", err)
	}
}
