package integration

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/kube"
)

// outsideTemplates are a run's objects outside its own namespaces: a
// ConfigMap in default (a namespace that existed before) and a ClusterRole.
func outsideTemplates(prefix string) map[string]string {
	return map[string]string{
		"cm.yaml":      configMapTemplate,
		"default.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + prefix + "-{{ .Iteration }}\n  namespace: default\n",
		"role.yaml":    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: " + prefix + "-{{ .Iteration }}\nrules: []\n",
	}
}

const outsideObjects = `
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
      - objectTemplate: default.yaml
        replicas: 1
      - objectTemplate: role.yaml
        replicas: 1
`

// leftovers counts what a job name left: namespaces, ConfigMaps in
// default, ClusterRoles.
func leftovers(t *testing.T, ctx context.Context, job string) (ns, cms, roles int) {
	t.Helper()
	sel := metav1.ListOptions{LabelSelector: kube.LabelJob + "=" + job}
	c, err := client.CoreV1().ConfigMaps("default").List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	r, err := client.RbacV1().ClusterRoles().List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	return len(namespaces(t, sel.LabelSelector)), len(c.Items), len(r.Items)
}

// TestDestroyByConfigRemovesObjectsOutsideNamespaces: destroy -c deletes a
// config's namespaces and its objects in default and cluster-scoped ones.
func TestDestroyByConfigRemovesObjectsOutsideNamespaces(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	files := outsideTemplates("destroy-c")
	files["config.yaml"] = "jobs:\n  - name: destroy-c\n    jobIterations: 2\n    namespace: destroy-c\n    preLoadImages: false\n" + outsideObjects
	cfg := writeConfig(t, files)
	if out := run(t, ctx, cfg); out.err != nil {
		t.Fatal(out.err)
	}
	if ns, cms, roles := leftovers(t, ctx, "destroy-c"); ns != 2 || cms != 2 || roles != 2 {
		t.Fatalf("after the run: %d namespaces, %d ConfigMaps in default, %d ClusterRoles; want 2 each", ns, cms, roles)
	}
	spec, err := burner.Load(cfg, burner.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nsN, objN, err := burner.Destroy(ctx, testEnv, spec.JobSelectors(), 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if nsN != 2 || objN != 4 {
		t.Errorf("destroy deleted %d namespaces and %d objects, want 2 and 4", nsN, objN)
	}
	if ns, cms, roles := leftovers(t, ctx, "destroy-c"); ns+cms+roles != 0 {
		t.Errorf("after destroy -c: %d namespaces, %d ConfigMaps in default, %d ClusterRoles left", ns, cms, roles)
	}
}

// TestFailedRunRemovesObjectsOutsideNamespaces: a run that fails, with
// cleanup on, deletes its objects in default and its ClusterRoles too.
func TestFailedRunRemovesObjectsOutsideNamespaces(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	files := outsideTemplates("failed-run")
	files["bad.yaml"] = "apiVersion: v1\nkind: NoSuchKind\nmetadata:\n  name: x\n"
	files["config.yaml"] = "jobs:\n  - name: failed-run\n    jobIterations: 2\n    namespace: failed-run\n    preLoadImages: false\n" + outsideObjects +
		"  - name: failed-run-2\n    preLoadImages: false\n    objects:\n      - objectTemplate: bad.yaml\n"
	out := run(t, ctx, writeConfig(t, files))
	if out.err == nil {
		t.Fatal("want the second job to fail")
	}
	if ns, cms, roles := leftovers(t, ctx, "failed-run"); ns+cms+roles != 0 {
		t.Errorf("after the failed run: %d namespaces, %d ConfigMaps in default, %d ClusterRoles left", ns, cms, roles)
	}
}

// logCapture records what burner logs during a test.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func captureLogs(t *testing.T) *logCapture {
	lc := &logCapture{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.MultiWriter(lc), nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return lc
}

// TestCleanupOfEarlierRunsSaysWhich: cleanup: true deletes what earlier
// runs of the same job left, whatever their uuid, and logs which uuids and
// how much before deleting.
func TestCleanupOfEarlierRunsSaysWhich(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	files := outsideTemplates("again")
	files["config.yaml"] = "jobs:\n  - name: again\n    jobIterations: 1\n    namespace: again\n    preLoadImages: false\n" + outsideObjects
	cfg := writeConfig(t, files)
	first := run(t, ctx, cfg)
	if first.err != nil {
		t.Fatal(first.err)
	}
	logs := captureLogs(t)
	second := run(t, ctx, cfg)
	if second.err != nil {
		t.Fatal(second.err)
	}
	want := "cleanup of earlier runs of job again: deleting 1 namespaces and 2 objects"
	if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), first.uuid+": 1 namespaces, 2 objects") {
		t.Errorf("log lacks %q with the first run's uuid %s:\n%s", want, first.uuid, logs.String())
	}
	cms, err := client.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{LabelSelector: kube.LabelUUID + "=" + first.uuid})
	if err != nil || len(cms.Items) != 0 {
		t.Errorf("the first run's ConfigMap in default survived the second run's cleanup: %d %v", len(cms.Items), err)
	}
	destroy(t, second.uuid)
	if ns, cms, roles := leftovers(t, ctx, "again"); ns+cms+roles != 0 {
		t.Errorf("after destroy --uuid: %d namespaces, %d ConfigMaps in default, %d ClusterRoles left", ns, cms, roles)
	}
}

// TestJobGC: a job's own gc: true deletes its objects after it (those in
// default and cluster-scoped too), between beforeCleanup and afterCleanup
// as kube-burner orders them; the next job's objects stay.
func TestJobGC(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	hookFile := filepath.Join(t.TempDir(), "hooks.log")
	t.Setenv("HOOK_FILE", hookFile)
	files := outsideTemplates("jobgc")
	files["config.yaml"] = `
jobs:
  - name: jobgc
    gc: true
    namespace: jobgc
    preLoadImages: false
    hooks:
{{- range $stage := list "beforeGC" "afterGC" "beforeCleanup" "afterCleanup" }}
      - cmd: ["sh", "-c", "echo {{ $stage }} >> {{ env "HOOK_FILE" }}"]
        when: {{ $stage }}
{{- end }}
` + outsideObjects + `
  - name: jobgc-kept
    namespace: jobgc-kept
    preLoadImages: false
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`
	out := run(t, ctx, writeConfig(t, files))
	if out.err != nil {
		t.Fatal(out.err)
	}
	if ns, cms, roles := leftovers(t, ctx, "jobgc"); ns+cms+roles != 0 {
		t.Errorf("after the job's gc: %d namespaces, %d ConfigMaps in default, %d ClusterRoles left", ns, cms, roles)
	}
	if ns := namespaces(t, kube.LabelJob+"=jobgc-kept"); len(ns) != 1 {
		t.Errorf("the next job (no gc) has %d namespaces, want 1", len(ns))
	}
	b, err := os.ReadFile(hookFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(string(b)), " "); got != "beforeGC afterGC beforeCleanup afterCleanup" {
		t.Errorf("hooks ran as %q, want beforeGC afterGC (cleanup of earlier runs) beforeCleanup afterCleanup (the job's gc)", got)
	}
	destroy(t, out.uuid)
}

// TestChurnWaitsForNamespacesAsKubeBurner: churn waits for its deleted
// namespaces as long as kube-burner (an hour), not the job's
// maxWaitTimeout, which here is far shorter than any namespace deletion.
func TestChurnWaitsForNamespacesAsKubeBurner(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"cm.yaml": configMapTemplate, "config.yaml": `
global:
  gc: true
jobs:
  - name: churn-wait
    jobIterations: 2
    namespace: churn-wait
    preLoadImages: false
    waitWhenFinished: false
    verifyObjects: false
    maxWaitTimeout: 1ms
    churnConfig: {cycles: 1, percent: 50, delay: 0s}
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if out.err != nil {
		t.Fatalf("churn with maxWaitTimeout 1ms: %v", out.err)
	}
	j := out.rep.Jobs[0]
	if j.ChurnErrors != 0 || j.Objects != 3 {
		t.Errorf("churn errors %d, objects %d (want 0 and 2 + 1 re-created)", j.ChurnErrors, j.Objects)
	}
}

// TestPreLoadPeriod: image pre-loading lasts preLoadPeriod, as kube-burner
// v1.17's sleep, even when the images are pulled at once.
func TestPreLoadPeriod(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p-{{ .Iteration }}\nspec:\n  containers:\n  - name: c\n    image: registry.k8s.io/pause:3.10\n",
		"config.yaml": `
global:
  gc: true
jobs:
  - name: preload-period
    namespace: preload-period
    preLoadImages: true
    preLoadPeriod: 6s
    objects:
      - objectTemplate: pod.yaml
        replicas: 1
`})
	start := time.Now()
	out := run(t, ctx, cfg)
	if out.err != nil {
		t.Fatal(out.err)
	}
	if d := out.rep.Jobs[0].Start.Sub(start); d < 6*time.Second {
		t.Errorf("the job started %v after the run; pre-loading must last preLoadPeriod (6s)", d)
	}
}

// TestTimeoutCountsNotSentApart: a run stopped by its timeout reports the
// calls its rate limit never let through as "not sent", not as errors.
func TestTimeoutCountsNotSentApart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"cm.yaml": configMapTemplate, "config.yaml": `
global:
  timeout: 3s
jobs:
  - name: not-sent
    jobIterations: 200
    qps: 5
    burst: 5
    namespace: not-sent
    namespacedIterations: false
    preLoadImages: false
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if exitcode.Of(out.err) != exitcode.Timeout {
		t.Fatalf("want a timeout, got %v", out.err)
	}
	j := out.rep.Jobs[0]
	if j.Errors != 0 || j.NotSent == 0 {
		t.Errorf("errors %d, not sent %d: calls the deadline stopped are not API errors", j.Errors, j.NotSent)
	}
	if strings.Contains(out.stdout, "FAILED") && !strings.Contains(out.stdout, "not sent") {
		t.Errorf("summary table lacks the not-sent column:\n%s", out.stdout)
	}
	if _, err := client.CoreV1().Namespaces().Get(ctx, "not-sent", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		// cleanup deletes what the timed-out run created; wait for it
		destroy(t, out.uuid)
	}
}

// TestMeasureExistingObjects: perflab measure runs a config's measurements
// over objects that already exist, selected by label, creating nothing.
func TestMeasureExistingObjects(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p-{{ .Iteration }}\nspec:\n  containers:\n  - name: c\n    image: registry.k8s.io/pause:3.10\n"
	cfg := writeConfig(t, map[string]string{"pod.yaml": pod, "config.yaml": `
global:
  measurements:
    - name: podLatency
jobs:
  - name: measured-pods
    jobIterations: 3
    namespace: measured-pods
    preLoadImages: false
    objects:
      - objectTemplate: pod.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if out.err != nil {
		t.Fatal(out.err)
	}
	defer destroy(t, out.uuid)
	spec, err := burner.Load(cfg, burner.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, err := burner.Measure(ctx, testEnv, spec, burner.MeasureOptions{UUID: "m-1", Job: "kube-burner-measure",
		Selector: kube.LabelUUID + "=" + out.uuid, Duration: time.Second, MetricsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	readJSON(t, filepath.Join(dir, "podLatencyMeasurement-kube-burner-measure.json"), &docs)
	if len(docs) != 3 || docs[0]["uuid"] != "m-1" || docs[0]["jobName"] != "kube-burner-measure" {
		t.Errorf("want the 3 existing pods measured under uuid m-1, got %d documents: %v", len(docs), docs)
	}
	if res.P99Ready < 0 {
		t.Error("no Ready quantile from the existing pods")
	}
	if _, err := os.Stat(filepath.Join(dir, "podLatencyQuantilesMeasurement-kube-burner-measure.json")); err != nil {
		t.Error(err)
	}
}
