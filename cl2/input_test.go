package cl2

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// writeConfig writes a config (and extra files name → text) to a temp dir.
// writeFile writes body to path, failing the test on an error.
func writeFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeConfig(t *testing.T, config string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["config.yaml"] = config
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "config.yaml")
}

const sleepConfig = `name: nsclash
namespace:
  number: 2
  prefix: nsclash
steps:
- name: nap
  measurements:
  - Identifier: Nap
    Method: Sleep
    Params:
      duration: 1s
`

// TestExistingNamespaceFailsBeforeRun: when an automanaged namespace exists,
// the run fails before it starts (no junit.xml, nothing created or deleted)
// with the config's namespace field named.
func TestExistingNamespaceFailsBeforeRun(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cs := kubernetes.NewForConfigOrDie(testCluster.RESTConfig())
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "nsclash-2"}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{}); err != nil {
			t.Error(err)
		}
	})
	dir := t.TempDir()
	var out strings.Builder
	rep, err := Run(ctx, Options{
		Load:      LoadOptions{ConfigPath: writeConfig(t, sleepConfig, map[string]string{}), Environ: []string{}},
		ReportDir: dir, Env: newTestEnv(t), Out: &out,
	})
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems and exit 1, got %v", err)
	}
	if !strings.Contains(err.Error(), "config.yaml:2: namespace: namespace nsclash-2 already exists") {
		t.Errorf("error does not name the file, line and field: %v", err)
	}
	if rep != nil || out.Len() > 0 {
		t.Errorf("a run started: report %v, summary %q", rep, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "junit.xml")); !os.IsNotExist(err) {
		t.Errorf("junit.xml written for a run that did not start (%v)", err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, "nsclash-1", metav1.GetOptions{}); err == nil {
		t.Error("namespace nsclash-1 was created")
	}
	if got, err := cs.CoreV1().Namespaces().Get(ctx, "nsclash-2", metav1.GetOptions{}); err != nil || got.DeletionTimestamp != nil {
		t.Errorf("the existing namespace was touched: %v", err)
	}
}

// TestSeedPodStartupRunsAsInCL2: the guide's own pod-startup config, as
// copied from the seed, runs as it ran under ClusterLoader2: its unknown
// qpsLoad.burst is ignored, the 50 pods are created and measured, and the
// last WaitForRunningPods call, which lacks desiredPodCount, fails when it
// runs (CL2's util.GetInt fails it the same way) without stopping the rest.
func TestSeedPodStartupRunsAsInCL2(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	var out strings.Builder
	rep, err := Run(ctx, Options{
		Load:      LoadOptions{ConfigPath: "testdata/seeds/pod-startup/pod-startup-config.yaml", Environ: []string{}},
		ReportDir: dir, Env: newTestEnv(t), Out: &out, Progress: io.Discard,
	})
	t.Logf("summary:\n%s", out.String())
	var ps Problems
	if err == nil || errors.As(err, &ps) {
		t.Fatalf("want the run to fail on the call without desiredPodCount, got %v", err)
	}
	if !strings.Contains(err.Error(), "WaitForRunningPods WaitForRunningPods (testdata/seeds/pod-startup/pod-startup-config.yaml:51): param desiredPodCount missing") {
		t.Errorf("error: %v", err)
	}
	failed := 0
	for _, s := range rep.Steps {
		if s.Err != nil {
			failed++
		}
	}
	if len(rep.Steps) < 5 || failed != 1 {
		t.Errorf("%d steps, %d failed; want every step run and one failed", len(rep.Steps), failed)
	}
	pd := readPerfData(t, dir, "PodStartupLatency_PodStartupLatency_pod-startup-latency-test")
	if len(pd.DataItems) == 0 {
		t.Error("no pod startup latency gathered")
	}
	assertNamespacesGone(t, context.Background(), "cl2-test-")
}
