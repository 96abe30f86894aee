package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/perflab/perflab/ui"
)

// browser starts headless chromium and returns a tab context and the
// console errors seen so far. Without chromium the test skips, except in CI
// (CI=true) where that is a failure.
func browser(t *testing.T, ctx context.Context) (context.Context, func() []string) {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must install chromium: %v", err)
		}
		t.Skipf("no chromium: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelA)
	tab, cancelT := chromedp.NewContext(actx)
	t.Cleanup(cancelT)
	var mu sync.Mutex
	var errs []string
	record := func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				msg = fmt.Sprintf("console.error: %v", e.Args)
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if ex := e.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
		case *log.EventEntryAdded:
			if e.Entry != nil && e.Entry.Level == log.EntryLevelError {
				msg = fmt.Sprintf("log: %s %s", e.Entry.Text, e.Entry.URL)
			}
		}
		if msg != "" {
			mu.Lock()
			errs = append(errs, msg)
			mu.Unlock()
		}
	}
	if err := chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case runtime.EventConsoleAPICalled:
			record(&e)
		case runtime.EventExceptionThrown:
			record(&e)
		case log.EventEntryAdded:
			record(&e)
		default:
			record(ev)
		}
	}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tab, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// waitDOM evaluates expr (a JS number) until it equals want.
func waitDOM(t *testing.T, tab context.Context, what, expr string, want int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	got := -1
	for time.Now().Before(deadline) {
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](expr))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got = n; got == want {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: %d, want %d (%s)", what, got, want, expr)
}

func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dirs := []string{t.TempDir()}
	// PERFLAB_SCREENSHOTS keeps a copy to look at after the test.
	if d := os.Getenv("PERFLAB_SCREENSHOTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
}

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
	tab, consoleErrors := browser(t, ctx)
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	waitDOM(t, tab, "node elements", `document.querySelectorAll("[data-node]").length`, 3)

	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment(ns, 5), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := `document.querySelectorAll('[data-node] [data-pod^="` + ns + `/"][data-phase="Running"]').length`
	waitDOM(t, tab, "Running pod tiles", running, 5)
	screenshot(t, tab, "ui-5-running.png")

	scale, err := cs.AppsV1().Deployments(ns).GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 0
	if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "web", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitDOM(t, tab, "pod tiles after scaling to 0", `document.querySelectorAll('[data-pod^="`+ns+`/"]').length`, 0)
	screenshot(t, tab, "ui-scaled-to-0.png")
	if errs := consoleErrors(); len(errs) != 0 {
		t.Errorf("browser console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestTokenGuardsOpenView checks the token handshake a browser goes through
// off loopback: without the token 401, ?token= trades it for a cookie and
// the page loads without the token in its address.
func TestTokenGuardsOpenView(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := startView(t, ctx, ui.Options{Addr: "127.0.0.1:0", Token: "t0ken-for-test", Config: testCluster.RESTConfig()})
	tab, consoleErrors := browser(t, ctx)
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(tab, chromedp.Evaluate[int](`fetch("/api/view").then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != 401 {
		t.Errorf("without token: status %d, want 401", status)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(url+"?token=t0ken-for-test")); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(tab, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(loc, "token") {
		t.Errorf("address after login %q still carries the token", loc)
	}
	waitDOM(t, tab, "node elements with the cookie", `document.querySelectorAll("[data-node]").length`, 3)
	html, err := chromedp.Run(tab, chromedp.OuterHTML("html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "t0ken-for-test") {
		t.Errorf("the page shows the token")
	}
	// The 401 of the first page load is expected; nothing else may fail.
	for _, e := range consoleErrors() {
		if !strings.Contains(e, "401") {
			t.Errorf("browser console error: %s", e)
		}
	}
}
