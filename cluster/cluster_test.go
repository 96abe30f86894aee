package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

func kclient(t *testing.T) kubernetes.Interface {
	t.Helper()
	return kubernetes.NewForConfigOrDie(sharedCluster(t).RESTConfig())
}

// namespace creates a namespace for one test and deletes it afterwards.
func namespace(t *testing.T, c kubernetes.Interface) string {
	t.Helper()
	name := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	if len(name) > 50 {
		name = name[:50]
	}
	_, err := c.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		last = err
		return ok, nil
	})
	if err != nil {
		t.Fatalf("%s: not within %s (last error: %v)", what, timeout, last)
	}
}

func podTemplate(labels map[string]string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
	}
}

func countPods(ctx context.Context, c kubernetes.Interface, ns string, phase corev1.PodPhase) (int, error) {
	pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range pods.Items {
		if p.Status.Phase == phase {
			n++
		}
	}
	return n, nil
}

func TestNodesReady(t *testing.T) {
	c := kclient(t)
	nodes, err := c.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{LabelSelector: HollowNodeLabel + "=true"})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) < 3 {
		t.Fatalf("%d hollow nodes, want at least 3", len(nodes.Items))
	}
	for _, n := range nodes.Items {
		if !nodeReady(&n) {
			t.Errorf("node %s not Ready", n.Name)
		}
		if n.Spec.PodCIDR == "" {
			t.Errorf("node %s has no pod CIDR", n.Name)
		}
		if v, ok := n.Labels[WorkerRoleLabel]; !ok || v != "" {
			t.Errorf("node %s labels %v, want %s=\"\"", n.Name, n.Labels, WorkerRoleLabel)
		}
		if got := n.Status.Allocatable.Pods().Value(); got != DefaultMaxPods {
			t.Errorf("node %s allocatable pods %d, want %d", n.Name, got, DefaultMaxPods)
		}
	}
	// node-lifecycle removes the not-ready taint once kwok reports Ready.
	eventually(t, time.Minute, "not-ready taints removed", func(ctx context.Context) (bool, error) {
		nodes, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: HollowNodeLabel + "=true"})
		if err != nil {
			return false, err
		}
		for _, n := range nodes.Items {
			for _, taint := range n.Spec.Taints {
				if taint.Key == corev1.TaintNodeNotReady {
					return false, fmt.Errorf("%s still tainted", n.Name)
				}
			}
		}
		return true, nil
	})
}

func TestDeploymentPodsRunningAndCascadingDelete(t *testing.T) {
	c := kclient(t)
	ns := namespace(t, c)
	ctx := context.Background()
	labels := map[string]string{"app": "web"}
	// Pinned to workers, as kube-burner's workloads are.
	tmpl := podTemplate(labels)
	tmpl.Spec.NodeSelector = map[string]string{WorkerRoleLabel: ""}
	_, err := c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](5),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: tmpl,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "5 pods Running", func(ctx context.Context) (bool, error) {
		n, err := countPods(ctx, c, ns, corev1.PodRunning)
		return n == 5, err
	})
	eventually(t, time.Minute, "deployment 5 ready replicas", func(ctx context.Context) (bool, error) {
		d, err := c.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		return err == nil && d.Status.ReadyReplicas == 5, err
	})

	// Garbage collection: deleting the Deployment removes its ReplicaSet and pods.
	if err := c.AppsV1().Deployments(ns).Delete(ctx, "web", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "replicasets and pods garbage-collected", func(ctx context.Context) (bool, error) {
		rs, err := c.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		return err == nil && len(rs.Items) == 0 && len(pods.Items) == 0, err
	})
}

func TestServiceEndpointSlice(t *testing.T) {
	c := kclient(t)
	ns := namespace(t, c)
	ctx := context.Background()
	labels := map[string]string{"app": "echo"}
	_, err := c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "echo"},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: podTemplate(labels)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "echo"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "EndpointSlice holds the pods' IPs", func(ctx context.Context) (bool, error) {
		pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		want := map[string]bool{}
		for _, p := range pods.Items {
			if p.Status.PodIP != "" && p.Status.Phase == corev1.PodRunning {
				want[p.Status.PodIP] = true
			}
		}
		slices, err := c.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=echo"})
		if err != nil {
			return false, err
		}
		got := map[string]bool{}
		for _, s := range slices.Items {
			for _, ep := range s.Endpoints {
				if ep.Conditions.Ready != nil && *ep.Conditions.Ready {
					for _, a := range ep.Addresses {
						got[a] = true
					}
				}
			}
		}
		if len(want) != 2 || len(got) != 2 {
			return false, fmt.Errorf("pods %v, endpoints %v", want, got)
		}
		for ip := range want {
			if !got[ip] {
				return false, fmt.Errorf("pod IP %s not in slices %v", ip, got)
			}
		}
		return true, nil
	})
}

func TestJobCompletes(t *testing.T) {
	c := kclient(t)
	ns := namespace(t, c)
	tmpl := podTemplate(nil)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	_, err := c.BatchV1().Jobs(ns).Create(context.Background(), &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "once"},
		Spec:       batchv1.JobSpec{Completions: ptr.To[int32](2), Parallelism: ptr.To[int32](2), Template: tmpl},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "job Complete", func(ctx context.Context) (bool, error) {
		j, err := c.BatchV1().Jobs(ns).Get(ctx, "once", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cond := range j.Status.Conditions {
			if cond.Type == batchv1.JobComplete && cond.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, fmt.Errorf("succeeded %d", j.Status.Succeeded)
	})
}

func TestNamespaceDeletionRemovesEverything(t *testing.T) {
	c := kclient(t)
	ctx := context.Background()
	ns := "doomed"
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "x"}
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "x"},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](3), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: podTemplate(labels)},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "3 pods Running", func(ctx context.Context) (bool, error) {
		n, err := countPods(ctx, c, ns, corev1.PodRunning)
		return n == 3, err
	})
	if err := c.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "namespace gone", func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
}

// The seed's scenario 2 in miniature: a node allows maxPods pods; the rest
// stay Pending with the scheduler's "Too many pods".
func TestMaxPodsWall(t *testing.T) {
	skipShort(t)
	tests := []struct {
		maxPods     int
		wantRunning int
		wantTooMany bool
	}{
		{maxPods: 110, wantRunning: 110, wantTooMany: true},
		{maxPods: 150, wantRunning: 120, wantTooMany: false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("maxPods-%d", tt.maxPods), func(t *testing.T) {
			c := kclient(t)
			ctx := context.Background()
			// A dedicated node (tainted) so other tests' pods don't use its capacity.
			key := fmt.Sprintf("perflab.io/maxpods-%d", tt.maxPods)
			names, err := CreateNodes(ctx, c, 1, NodeSpec{MaxPods: tt.maxPods, CPU: "32", Memory: "256Gi",
				Taints: []corev1.Taint{{Key: key, Value: "true", Effect: corev1.TaintEffectNoSchedule}}})
			if err != nil {
				t.Fatal(err)
			}
			node := names[0]
			t.Cleanup(func() { _ = c.CoreV1().Nodes().Delete(context.Background(), node, metav1.DeleteOptions{}) })
			eventually(t, time.Minute, "node Ready", func(ctx context.Context) (bool, error) {
				n, err := c.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
				return err == nil && nodeReady(n), err
			})
			ns := namespace(t, c)
			labels := map[string]string{"app": "stress"}
			tmpl := podTemplate(labels)
			tmpl.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": node}
			tmpl.Spec.Tolerations = []corev1.Toleration{{Key: key, Operator: corev1.TolerationOpExists}}
			_, err = c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "stress"},
				Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](120), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl},
			}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, 2*time.Minute, fmt.Sprintf("%d pods Running", tt.wantRunning), func(ctx context.Context) (bool, error) {
				n, err := countPods(ctx, c, ns, corev1.PodRunning)
				return n == tt.wantRunning, err
			})
			if !tt.wantTooMany {
				return
			}
			eventually(t, time.Minute, "10 Pending with FailedScheduling Too many pods", func(ctx context.Context) (bool, error) {
				pending, err := countPods(ctx, c, ns, corev1.PodPending)
				if err != nil || pending != 10 {
					return false, fmt.Errorf("pending %d: %v", pending, err)
				}
				evs, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=FailedScheduling"})
				if err != nil {
					return false, err
				}
				for _, e := range evs.Items {
					if strings.Contains(e.Message, "Too many pods") {
						return true, nil
					}
				}
				return false, fmt.Errorf("%d FailedScheduling events, none says Too many pods", len(evs.Items))
			})
		})
	}
}

func TestServerVersionParses(t *testing.T) {
	v, err := kclient(t).Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := version.ParseSemantic(v.GitVersion); err != nil {
		t.Fatalf("server version %q does not parse: %v", v.GitVersion, err)
	}
}

func TestAnonymousRefused(t *testing.T) {
	cl := sharedCluster(t)
	ca, err := os.ReadFile(cl.pki.caCert())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := hc.Get(cl.Endpoints().APIServer + "/api/v1/namespaces")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous request: HTTP %d, want 401", resp.StatusCode)
	}
}

func TestOnlyLoopbackListeners(t *testing.T) {
	skipShort(t)
	socks, err := listeningSockets()
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) < 3 {
		t.Fatalf("found %d listening sockets of this process, want etcd and apiserver ones: %v", len(socks), socks)
	}
	for _, s := range socks {
		if !s.IsLoopback() {
			t.Errorf("listener on %s, want loopback only", s)
		}
	}
}

func TestKubeconfigMode(t *testing.T) {
	cl := sharedCluster(t)
	for _, p := range []string{cl.Kubeconfig(), cl.pki.caKey(), cl.pki.key("admin"), cl.PrometheusConfig()} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", p, info.Mode().Perm())
		}
	}
}
