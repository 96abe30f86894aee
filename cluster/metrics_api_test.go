package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
)

// TestMetricsAPIServesKubectlTop reads metrics.k8s.io through the API
// server with the metrics clientset (what kubectl top uses).
func TestMetricsAPIServesKubectlTop(t *testing.T) {
	cl := sharedCluster(t)
	c := kclient(t)
	ns := namespace(t, c)
	ctx := context.Background()
	cont := containerWith(map[corev1.ResourceName]string{corev1.ResourceCPU: "200m", corev1.ResourceMemory: "64Mi"},
		map[corev1.ResourceName]string{corev1.ResourceCPU: "400m"})
	cont.Image = "registry.k8s.io/pause:3.10"
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "busy", Namespace: ns, Labels: map[string]string{"app": "top"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{cont}}}
	if _, err := c.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "pod Running", func(ctx context.Context) (bool, error) {
		n, err := countPods(ctx, c, ns, corev1.PodRunning)
		return n == 1, err
	})
	mc := metricsclient.NewForConfigOrDie(cl.RESTConfig())
	pm, err := mc.MetricsV1beta1().PodMetricses(ns).Get(ctx, "busy", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get pod metrics: %v", err)
	}
	if len(pm.Containers) != 1 {
		t.Fatalf("pod metrics containers = %+v", pm.Containers)
	}
	u := pm.Containers[0].Usage
	if u.Cpu().MilliValue() != 300 || !u.Memory().Equal(resource.MustParse("64Mi")) {
		t.Errorf("usage cpu %s memory %s, want 300m (midpoint of 200m..400m) and 64Mi", u.Cpu(), u.Memory())
	}
	list, err := mc.MetricsV1beta1().PodMetricses(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=top"})
	if err != nil || len(list.Items) != 1 {
		t.Errorf("list pod metrics app=top: %d items, %v", len(list.Items), err)
	}
	nodes, err := mc.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list node metrics: %v", err)
	}
	if len(nodes.Items) != 3 {
		t.Errorf("node metrics: %d rows, want one per node (3)", len(nodes.Items))
	}
	got, err := c.CoreV1().Pods(ns).Get(ctx, "busy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nm, err := mc.MetricsV1beta1().NodeMetricses().Get(ctx, got.Spec.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if nm.Usage.Cpu().MilliValue() < 300 {
		t.Errorf("node %s cpu %s, want at least the pod's 300m", nm.Name, nm.Usage.Cpu())
	}
}

// TestKubectlTopNodes runs the real kubectl when it is installed.
func TestKubectlTopNodes(t *testing.T) {
	cl := sharedCluster(t)
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl not installed")
	}
	out, err := exec.Command(kubectl, "--kubeconfig", cl.Kubeconfig(), "top", "nodes").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl top nodes: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "NAME") {
		t.Errorf("kubectl top nodes: want a header and 3 rows, got:\n%s", out)
	}
}

// TestMetricsServerAcceptsOnlyTheFrontProxy calls the in-process server
// directly: the cluster's admin certificate (another CA) and no certificate
// are both refused at the TLS handshake.
func TestMetricsServerAcceptsOnlyTheFrontProxy(t *testing.T) {
	cl := sharedCluster(t)
	caPEM, err := os.ReadFile(cl.pki.caCert())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	admin, err := tls.LoadX509KeyPair(cl.pki.cert("admin"), cl.pki.key("admin"))
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + cl.metricsAddr + "/apis/metrics.k8s.io/v1beta1/nodes"
	for _, tc := range []struct {
		name  string
		certs []tls.Certificate
		want  int // 0: the request fails
	}{
		{"admin certificate", []tls.Certificate{admin}, 0},
		{"no certificate", nil, 0},
	} {
		hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs: pool, Certificates: tc.certs, ServerName: metricsServiceHost()}}}
		resp, err := hc.Get(url)
		switch {
		case tc.want == 0 && err == nil:
			resp.Body.Close()
			t.Errorf("%s: status %d, want the request refused", tc.name, resp.StatusCode)
		case tc.want != 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != 0:
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
			}
		}
	}
}
