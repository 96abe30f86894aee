package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/perflab/perflab/internal/browsertest"
	"github.com/perflab/perflab/ui"
)

// startView runs a live view until ctx ends and returns its URL.
func startView(t *testing.T, ctx context.Context, o ui.Options) string {
	t.Helper()
	srv, err := ui.New(o)
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

func deployment(ns string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": "ui-test"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.k8s.io/pause:3.10"}}},
			},
		},
	}
}

// TestBrowserShowsNodesAndPods: the page shows the cluster's 3 nodes, then
// the 5 Running pods of a Deployment, and no tile once it is scaled to 0;
// the browser logs no error.
func TestBrowserShowsNodesAndPods(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cfg := testCluster.RESTConfig()
	cs := kubernetes.NewForConfigOrDie(cfg)
	const ns = "ui-browser"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	url := startView(t, ctx, ui.Options{Addr: "127.0.0.1:0", Config: cfg, Interval: 300 * time.Millisecond})
	tab := browsertest.New(t, ctx)
	tab.Navigate(t, url)
	tab.WaitCount(t, "node elements", `document.querySelectorAll("[data-node]").length`, 3, 90*time.Second)

	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment(ns, 5), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := `document.querySelectorAll('[data-node] [data-pod^="` + ns + `/"][data-phase="Running"]').length`
	tab.WaitCount(t, "Running pod tiles", running, 5, 90*time.Second)
	// The API server chart has drawn a line of real samples (every 2 s).
	tab.WaitCount(t, "API chart samples", `Math.min(2, window.perflabUI.plots.api ? perflabUI.plots.api.u.data[0].length : 0)`, 2, 30*time.Second)
	tab.Screenshot(t, "ui-5-running.png")

	scale, err := cs.AppsV1().Deployments(ns).GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 0
	if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "web", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	tab.WaitCount(t, "pod tiles after scaling to 0", `document.querySelectorAll('[data-pod^="`+ns+`/"]').length`, 0, 90*time.Second)
	tab.Screenshot(t, "ui-scaled-to-0.png")
	if errs := tab.Problems(); len(errs) != 0 {
		t.Errorf("browser console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestTokenGuardsOpenView checks the token handshake a browser goes through
// off loopback: without the token 401, ?token= trades it for a cookie and
// the page loads without the token in its address or its content.
func TestTokenGuardsOpenView(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := startView(t, ctx, ui.Options{Addr: "127.0.0.1:0", Token: "t0ken-for-test", Config: testCluster.RESTConfig()})
	tab := browsertest.New(t, ctx)
	tab.Navigate(t, url)
	if status := browsertest.Eval[int](t, tab, `fetch("/api/view").then(r => r.status)`); status != 401 {
		t.Errorf("without token: status %d, want 401", status)
	}
	tab.Navigate(t, url+"?token=t0ken-for-test")
	if loc := browsertest.Eval[string](t, tab, `location.href`); strings.Contains(loc, "token") {
		t.Errorf("address after login %q still carries the token", loc)
	}
	tab.WaitCount(t, "node elements with the cookie", `document.querySelectorAll("[data-node]").length`, 3, 90*time.Second)
	if html := browsertest.Eval[string](t, tab, `document.documentElement.outerHTML`); strings.Contains(html, "t0ken-for-test") {
		t.Errorf("the page shows the token")
	}
	// The 401s of the first page load are expected; nothing else may fail.
	for _, e := range tab.Problems() {
		if !strings.Contains(e, "401") {
			t.Errorf("browser console error: %s", e)
		}
	}
}
