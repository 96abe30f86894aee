package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/burner"
)

func example(p string) string { return filepath.Join("..", "..", "examples", "kube-burner", p) }

type runOut struct {
	rep    *burner.Report
	err    error
	dir    string
	stdout string
	runID  string
	uuid   string
}

// run loads config with sets and runs it on the test cluster.
func run(t *testing.T, ctx context.Context, config string, sets ...string) runOut {
	t.Helper()
	spec, err := burner.Load(config, burner.LoadOptions{Set: sets})
	if err != nil {
		t.Fatalf("load %s: %v", config, err)
	}
	dir := t.TempDir()
	var out bytes.Buffer
	r, err := burner.NewRunner(testEnv, spec, burner.Options{MetricsDir: dir, Stdout: &out, ProgressInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(ctx)
	t.Logf("%s:\n%s", filepath.Base(config), out.String())
	return runOut{rep: rep, err: err, dir: dir, stdout: out.String(), runID: r.RunID(), uuid: r.UUID()}
}

// namespaces lists namespaces matching a label selector.
func namespaces(t *testing.T, sel string) []corev1.Namespace {
	t.Helper()
	l, err := client.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// destroy deletes a run's namespaces by its uuid.
func destroy(t testing.TB, uuid string) {
	t.Helper()
	if _, _, err := burner.Destroy(context.Background(), testEnv, burner.UUIDSelectors(uuid), 3*time.Minute); err != nil {
		t.Fatalf("destroy %s: %v", uuid, err)
	}
}

// setMaxPods changes every node's pod capacity, as editing kubelet's maxPods
// and restarting it does on a real node (the seed's fix).
func setMaxPods(t *testing.T, n int64) {
	t.Helper()
	ctx := context.Background()
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range nodes.Items {
		q := *resource.NewQuantity(n, resource.DecimalSI)
		nd.Status.Capacity[corev1.ResourcePods] = q
		nd.Status.Allocatable[corev1.ResourcePods] = q
		if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, &nd, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("node %s: %v", nd.Name, err)
		}
	}
}

// writeFile writes body to path, failing the test on an error.
func writeFile(tb testing.TB, path, body string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func contains(lines []string, subs ...string) bool {
	for _, l := range lines {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			return true
		}
	}
	return false
}
