package integration

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/measure"
)

func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "config.yaml")
}

const configMapTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-{{ .Iteration }}-{{ .Replica }}
data:
  job: {{ .JobName }}
`

// TestQPSBurst is the seed's observed property: jobIterations 20, replicas
// 1, qps 1, burst 10 → 10 objects at once, then one per second. Checked on
// the objects' creationTimestamps (one-second resolution).
func TestQPSBurst(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"cm.yaml": configMapTemplate, "config.yaml": `
jobs:
  - name: rate
    jobIterations: 20
    qps: 1
    burst: 10
    namespace: rate-test
    namespacedIterations: false
    preLoadImages: false
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if out.err != nil {
		t.Fatal(out.err)
	}
	cms, err := client.CoreV1().ConfigMaps("rate-test").List(ctx, metav1.ListOptions{LabelSelector: kube.LabelRunID + "=" + out.runID})
	if err != nil || len(cms.Items) != 20 {
		t.Fatalf("configmaps: %d %v", len(cms.Items), err)
	}
	ts := make([]time.Time, 0, 20)
	for _, c := range cms.Items {
		ts = append(ts, c.CreationTimestamp.Time)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	t0 := ts[0]
	// Timestamps have one-second resolution, and the machine is shared.
	if d := ts[9].Sub(t0); d > 2*time.Second {
		t.Errorf("the first 10 took %v; want them at once (burst 10)", d)
	}
	if d := ts[11].Sub(t0); d < time.Second {
		t.Errorf("the 12th came %v after the first; want the bucket empty after 10", d)
	}
	if d := ts[19].Sub(t0); d < 9*time.Second || d > 15*time.Second {
		t.Errorf("20 objects spanned %v; want ~10s (10 at once, then 1/s)", d)
	}
	for k := 10; k < 20; k++ {
		if d := ts[k].Sub(t0); d < time.Duration(k-10)*time.Second {
			t.Errorf("object %d at +%v: faster than 1/s", k, d)
		}
	}
	destroy(t, out.uuid)
}

// TestChurnV2 runs the kube-burner v2 example with churnConfig.
func TestChurnV2(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	t.Setenv("ITERATIONS", "4")
	out := run(t, ctx, example("churn-v2/churn-config.yaml"))
	if out.err != nil {
		t.Fatalf("churn: %v", out.err)
	}
	j := out.rep.Jobs[0]
	// 4 iterations × 2 deployments, then 2 cycles recreating 50% (2 iterations).
	if j.Objects != 8+2*4 {
		t.Errorf("created %d objects, want 16", j.Objects)
	}
	if j.ChurnStart == nil || j.ChurnEnd == nil || !j.ChurnEnd.After(*j.ChurnStart) {
		t.Errorf("churn window: %v %v", j.ChurnStart, j.ChurnEnd)
	}
	var sums []burner.JobSummary
	readJSON(t, filepath.Join(out.dir, "jobSummary.json"), &sums)
	if sums[0].ChurnStartTimestamp == nil {
		t.Error("jobSummary has no churnStartTimestamp")
	}
	if ns := namespaces(t, kube.LabelRunID+"="+out.runID); len(ns) != 0 {
		t.Errorf("gc left %d namespaces", len(ns))
	}
}

// TestInterruptCleansUp: Ctrl-C (ctx canceled) mid-run stops the run and
// leaves no namespace of it behind.
func TestInterruptCleansUp(t *testing.T) {
	cfg := writeConfig(t, map[string]string{"cm.yaml": configMapTemplate, "config.yaml": `
jobs:
  - name: interrupted
    jobIterations: 500
    qps: 20
    burst: 20
    namespace: interrupt
    preLoadImages: false
    objects:
      - objectTemplate: cm.yaml
        replicas: 2
`})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(2*time.Second, cancel)
	out := run(t, ctx, cfg)
	if out.err == nil || ctx.Err() == nil {
		t.Fatalf("want an interrupted run, got %v", out.err)
	}
	if exitcode.Of(out.err) != exitcode.Error {
		t.Errorf("interrupted run: exit code %d (main turns a canceled run into 130)", exitcode.Of(out.err))
	}
	if n := out.rep.Jobs[0].Objects; n == 0 || n >= 1000 {
		t.Errorf("created %d objects before the interrupt", n)
	}
	if ns := namespaces(t, kube.LabelRunID+"="+out.runID); len(ns) != 0 {
		t.Errorf("%d namespaces of the interrupted run left", len(ns))
	}
}

// TestPodLatencyThreshold: podLatency writes kube-burner's files and a
// threshold exceeded gives exit code 4.
func TestPodLatencyThreshold(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: lat-{{ .Iteration }}
spec:
  containers:
  - name: c
    image: registry.k8s.io/pause:3.10
`, "config.yaml": `
global:
  gc: true
  measurements:
    - name: podLatency
      thresholds:
        - {conditionType: Ready, metric: P99, threshold: 1ms}
jobs:
  - name: latency
    jobIterations: 10
    qps: 50
    burst: 50
    namespace: latency
    preLoadImages: false
    objects:
      - objectTemplate: pod.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if exitcode.Of(out.err) != exitcode.Threshold || !strings.Contains(out.err.Error(), "P99 Ready latency") {
		t.Fatalf("want threshold exceeded (exit 4), got %v", out.err)
	}
	var docs []measure.PodLatency
	readJSON(t, filepath.Join(out.dir, "podLatencyMeasurement-latency.json"), &docs)
	var qs []measure.LatencyQuantiles
	readJSON(t, filepath.Join(out.dir, "podLatencyQuantilesMeasurement-latency.json"), &qs)
	if len(docs) != 10 || docs[0].MetricName != "podLatencyMeasurement" || docs[0].PodReadyLatency <= 0 || docs[0].NodeName == "" {
		t.Errorf("podLatency docs: %d %+v", len(docs), docs)
	}
	if len(qs) == 0 || qs[len(qs)-1].QuantileName != "Ready" || qs[len(qs)-1].P99 < qs[len(qs)-1].P50 {
		t.Errorf("quantiles: %+v", qs)
	}
	if out.rep.Jobs[0].P99Ready <= 0 {
		t.Errorf("summary P99 ready: %v", out.rep.Jobs[0].P99Ready)
	}
	// kube-burner v2: ContainersStarted from the kubelet's Started events,
	// with sub-second resolution.
	subSecond := false
	for _, d := range docs {
		if d.ContainersStartedLatency <= 0 {
			t.Errorf("pod %s: containersStartedLatency %d, want the Started event's time", d.Name, d.ContainersStartedLatency)
		}
		subSecond = subSecond || d.ContainersStartedLatency%1000 != 0 || d.SchedulingLatency%1000 != 0
	}
	if !subSecond {
		t.Error("every containersStarted and scheduling latency is whole seconds; want event times")
	}
}
