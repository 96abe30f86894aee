package fault

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The process holding the API server (and etcd, and every component) is
// killed with SIGKILL while `perflab init` creates 150 ConfigMaps at 15/s,
// then restarted on the same data directory. The run must complete with
// exactly the 150 objects it was asked for: none lost, none twice.
func TestAPIServerKilledDuringInit(t *testing.T) {
	skipShort(t)
	const n = 150
	cl := startCluster(t, t.TempDir(), "--nodes", "1")
	cfg := writeFiles(t, map[string]string{"cm.yaml": configMapTemplate, "config.yaml": fmt.Sprintf(`
jobs:
  - name: killed
    jobIterations: %d
    qps: 15
    burst: 15
    namespace: fault-kill-init
    namespacedIterations: false
    preLoadImages: false
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`, n)})
	run := start(t, "init", "-c", filepath.Join(cfg, "config.yaml"), "--kubeconfig", cl.kubeconfig(),
		"--uuid", "fault-kill-init", "--metrics-directory", filepath.Join(cfg, "out"), "--timeout", "5m")
	c := cl.client(t)
	sel := "kube-burner.io/uuid=fault-kill-init"
	waitFor(t, time.Minute, "30 ConfigMaps before the kill", func(ctx context.Context) (bool, error) {
		names, err := configMapNames(ctx, c, "fault-kill-init", sel)
		return len(names) >= 30, err
	})
	cl.kill(t)
	killedAt := time.Now()
	cl.start(t)
	t.Logf("API server down for %s (kill → ready again)", time.Since(killedAt).Round(time.Millisecond))
	if code := run.wait(t, 4*time.Minute); code != 0 {
		t.Fatalf("perflab init exit %d after the API server restart:\n%s", code, run.out)
	}
	names, err := configMapNames(context.Background(), c, "fault-kill-init", sel)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf("cm-%d-1", i)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("%d ConfigMaps after the run, want exactly %d (cm-0-1 .. cm-%d-1)", len(names), n, n-1)
	}
}

// The same kill during a ClusterLoader2 run creating 60 pods at 10/s: the
// run passes (its WaitForRunningPods saw all 60 Running), every pod name
// the test saw is one of the 60 the config names, and the run's namespace
// is gone at the end.
func TestAPIServerKilledDuringCL2(t *testing.T) {
	skipShort(t)
	const n = 60
	cl := startCluster(t, t.TempDir(), "--nodes", "1")
	dir := writeFiles(t, map[string]string{
		"pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: {{.Name}}
  labels: {app: fault-kill}
spec:
  containers:
  - {name: c, image: registry.k8s.io/pause:3.10}
`,
		"config.yaml": fmt.Sprintf(`name: fault-kill
namespace: {number: 1, prefix: fault-kill-cl2}
tuningSets:
- name: Steady
  qpsLoad: {qps: 10}
steps:
- name: create
  phases:
  - namespaceRange: {min: 1, max: 1}
    replicasPerNamespace: %d
    tuningSet: Steady
    objectBundle:
    - {basename: pod, objectTemplatePath: pod.yaml}
- name: wait
  measurements:
  - Identifier: WaitPods
    Method: WaitForRunningPods
    Params: {labelSelector: app = fault-kill, desiredPodCount: %d, timeout: 90s}
`, n, n)})
	run := start(t, "cl2", "--testconfig", filepath.Join(dir, "config.yaml"), "--kubeconfig", cl.kubeconfig(),
		"--report-dir", filepath.Join(dir, "report"))
	c := cl.client(t)
	seen := map[string]bool{}
	count := func(ctx context.Context) (int, error) {
		l, err := c.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: "app=fault-kill"})
		if err != nil {
			return 0, err
		}
		for _, p := range l.Items {
			seen[p.Namespace+"/"+p.Name] = true
		}
		return len(l.Items), nil
	}
	waitFor(t, time.Minute, "15 pods before the kill", func(ctx context.Context) (bool, error) {
		k, err := count(ctx)
		return k >= 15, err
	})
	cl.kill(t)
	cl.start(t)
	// Watch the pods until the run ends, collecting every name.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-run.done:
				return
			case <-time.After(200 * time.Millisecond):
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, _ = count(ctx) // errors are expected while the API server is down
				cancel()
			}
		}
	}()
	code := run.wait(t, 4*time.Minute)
	<-done
	if code != 0 {
		t.Fatalf("perflab cl2 exit %d after the API server restart:\n%s", code, run.out)
	}
	var bad []string
	for name := range seen {
		if ns, pod, _ := strings.Cut(name, "/"); !strings.HasPrefix(ns, "fault-kill-cl2-") || !validPodName(pod, n) {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 || len(seen) != n {
		t.Errorf("saw %d distinct pods, want the %d the config names; unexpected: %v", len(seen), n, bad)
	}
	waitFor(t, time.Minute, "the run's namespace deleted", func(ctx context.Context) (bool, error) {
		l, err := c.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, ns := range l.Items {
			if strings.HasPrefix(ns.Name, "fault-kill-cl2-") {
				return false, nil
			}
		}
		return true, nil
	})
}

// validPodName reports whether name is pod-0 .. pod-(n-1).
func validPodName(name string, n int) bool {
	for i := range n {
		if name == fmt.Sprintf("pod-%d", i) {
			return true
		}
	}
	return false
}
