package cl2

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/results"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/target"
)

// testCluster is the one embedded cluster of this package's tests.
var testCluster *cluster.Cluster

// newTestEnv is a run environment on testCluster, closed with the test
// (which leaves the cluster running).
func newTestEnv(t *testing.T) *runenv.Env {
	t.Helper()
	env, err := target.FromCluster(testCluster)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return env
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		if testing.Short() {
			return m.Run()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		c, err := cluster.Start(ctx, cluster.Options{Nodes: 4, MaxPods: 1000})
		if err != nil {
			fmt.Fprintln(os.Stderr, "cluster:", err)
			return 1
		}
		testCluster = c
		code := m.Run()
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop embedded cluster:", err)
			code = 1
		}
		return code
	}()
	os.Exit(code)
}

func needCluster(t *testing.T) {
	t.Helper()
	if testCluster == nil {
		t.Skip("no embedded cluster (-short)")
	}
}

// overrides writes a --testoverrides file.
func overrides(t *testing.T, kv map[string]any) []string {
	t.Helper()
	var b strings.Builder
	for k, v := range kv {
		b.WriteString(k + ": " + toYAMLScalar(v) + "\n")
	}
	p := filepath.Join(t.TempDir(), "overrides.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{p}
}

func toYAMLScalar(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func runExample(t *testing.T, ctx context.Context, name string, ov map[string]any) (*Report, string, error) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	if ov != nil {
		paths = overrides(t, ov)
	}
	var out strings.Builder
	rep, err := Run(ctx, Options{
		Load:      LoadOptions{ConfigPath: "../examples/cl2/" + name + "/config.yaml", OverridePaths: paths, Environ: []string{}},
		ReportDir: dir, Env: newTestEnv(t), Out: &out, Progress: io.Discard,
	})
	t.Logf("summary:\n%s", out.String())
	return rep, dir, err
}

func readPerfData(t *testing.T, dir, prefix string) results.PerfData {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, prefix+"_*.json"))
	if len(m) != 1 {
		t.Fatalf("want one %s_*.json in %s, got %v", prefix, dir, m)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	var pd results.PerfData
	if err := json.Unmarshal(b, &pd); err != nil {
		t.Fatalf("%s: %v", m[0], err)
	}
	return pd
}

func TestPodStartupExample(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, dir, err := runExample(t, ctx, "pod-startup", nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	pd := readPerfData(t, dir, "PodStartupLatency_PodStartupLatency_pod-startup-latency-test")
	got := map[string]bool{}
	for _, it := range pd.DataItems {
		got[it.Labels["Metric"]] = true
		if it.Unit != "ms" || len(it.Data) != 3 {
			t.Errorf("item %+v: want unit ms and Perc50/90/99", it)
		}
	}
	for _, tr := range []string{"create_to_run", "create_to_schedule", "pod_startup", "run_to_watch", "schedule_to_run", "schedule_to_watch"} {
		if !got[tr] {
			t.Errorf("transition %s missing from %v", tr, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "junit.xml")); err != nil {
		t.Error(err)
	}
	passed := false
	for _, c := range rep.Checks {
		if c.Name == "PodStartupLatency PodStartupLatency" && c.Pass && strings.Contains(c.Detail, "over 50 pods") {
			passed = true
		}
	}
	if !passed {
		t.Errorf("want a passing PodStartupLatency check over 50 pods, got %+v", rep.Checks)
	}
	assertNamespacesGone(t, ctx, "cl2-test-")
}

func TestTightThresholdFails(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, _, err := runExample(t, ctx, "pod-startup", map[string]any{"CL2_PODS": 10, "CL2_QPS": 20, "CL2_THRESHOLD": "1ms"})
	if !errors.Is(err, ErrViolation) {
		t.Fatalf("want an SLO violation, got %v", err)
	}
	if !OnlyViolations(err) {
		t.Errorf("err = %v, want only SLO violations (exit code %d)", err, exitcode.Threshold)
	}
}

// watchDeployments records the replica counts Deployments labelled
// app=large-app take, and how many were deleted.
func watchDeployments(t *testing.T, ctx context.Context) (replicas func() map[int32]bool, deleted func() int) {
	t.Helper()
	cs := kubernetes.NewForConfigOrDie(testCluster.RESTConfig())
	w, err := cs.AppsV1().Deployments("").Watch(ctx, metav1.ListOptions{LabelSelector: "app=large-app"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen, gone := map[int32]bool{}, 0
	go func() {
		for ev := range w.ResultChan() {
			mu.Lock()
			switch ev.Type {
			case "DELETED":
				gone++
			case "ADDED", "MODIFIED":
				if dep, ok := ev.Object.(*appsv1.Deployment); ok && dep.Spec.Replicas != nil {
					seen[*dep.Spec.Replicas] = true
				}
			}
			mu.Unlock()
		}
	}()
	t.Cleanup(w.Stop)
	return func() map[int32]bool {
			mu.Lock()
			defer mu.Unlock()
			out := map[int32]bool{}
			for k := range seen {
				out[k] = true
			}
			return out
		}, func() int {
			mu.Lock()
			defer mu.Unlock()
			return gone
		}
}

func TestLargeDeploymentScalesAndDeletes(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ov := map[string]any{"CL2_NAMESPACES": 2, "CL2_DEPLOYMENTS": 2, "CL2_REPLICAS": 10, "CL2_SCALED_REPLICAS": 20}
	if os.Getenv("PERFLAB_CL2_FULL") != "" {
		ov = nil // the real example: 5 x 3 Deployments, 100 -> 200 replicas
	}
	replicas, deleted := watchDeployments(t, ctx)
	rep, dir, err := runExample(t, ctx, "large-deployment", ov)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want, scaled, total := int32(10), int32(20), 4
	if ov == nil {
		want, scaled, total = 100, 200, 15
	}
	time.Sleep(time.Second) // let the watch deliver the last events
	if r := replicas(); !r[want] || !r[scaled] {
		t.Errorf("replica counts seen %v, want %d and %d", r, want, scaled)
	}
	if n := deleted(); n != total {
		t.Errorf("%d Deployments deleted, want %d", n, total)
	}
	var st measure.ThroughputSummary
	m, _ := filepath.Glob(filepath.Join(dir, "SchedulingThroughput_*.json"))
	if len(m) != 1 {
		t.Fatalf("SchedulingThroughput file: %v", m)
	}
	b, _ := os.ReadFile(m[0])
	if err := json.Unmarshal(b, &st); err != nil || st.Max <= 0 {
		t.Errorf("SchedulingThroughput %s: %+v %v, want max > 0", b, st, err)
	}
	readPerfData(t, dir, "APIResponsivenessPrometheus_large-deployment-test")
	readPerfData(t, dir, "Timer_large-deployment-test")
	if rep.Failed() {
		t.Error("report failed")
	}
}

func TestAPILoadExample(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	_, dir, err := runExample(t, ctx, "api-load", nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	pd := readPerfData(t, dir, "APIResponsivenessPrometheus_api-server-load-test")
	counts := map[string]int{}
	for _, it := range pd.DataItems {
		if it.Labels["Resource"] == "configmaps" {
			counts[it.Labels["Verb"]], _ = strconv.Atoi(it.Labels["Count"])
		}
	}
	// 10 namespaces x 100 ConfigMaps created and patched, 100 lists each.
	// The namespace controller adds kube-root-ca.crt to each new namespace,
	// so up to 10 more creates may fall inside the window.
	for verb, want := range map[string]int{"POST": 1000, "LIST": 1000, "PATCH": 1000} {
		if c := counts[verb]; c < want || c > want+10 {
			t.Errorf("configmaps %s count %d, want %d (+ up to 10) (rows: %v)", verb, c, want, counts)
		}
	}
}

// TestAPISLOEnforced: with enableViolations and a 1µs single-object SLO,
// the API responsiveness check fails the run with the threshold exit code.
func TestAPISLOEnforced(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, _, err := runExample(t, ctx, "api-load", map[string]any{"CL2_NAMESPACES": 2, "CL2_CONFIGMAPS": 10, "CL2_LISTS": 2,
		"CL2_ENABLE_VIOLATIONS": true, "CL2_SINGLE_RESOURCE_THRESHOLD": "1us"})
	if !OnlyViolations(err) {
		t.Fatalf("err = %v, want only SLO violations (exit code %d)", err, exitcode.Threshold)
	}
	if len(rep.Checks) != 1 || rep.Checks[0].Pass || !strings.Contains(rep.Checks[0].Detail, "POST configmaps") {
		t.Errorf("checks %+v: want a failed API check naming POST configmaps", rep.Checks)
	}
}

func TestSeedOriginalRejectedBeforeRunning(t *testing.T) {
	needCluster(t)
	_, err := Run(context.Background(), Options{
		Load: LoadOptions{ConfigPath: "testdata/seeds/api-load/api-load-config.yaml", Environ: []string{}},
		Env:  newTestEnv(t),
	})
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems and exit 1, got %v", err)
	}
	if !strings.Contains(err.Error(), "list-job.yaml:10: ") || !strings.Contains(err.Error(), "api-load-config.yaml:22: steps[0].measurements[0].method: unknown measurement method") {
		t.Errorf("want the config's and the Job template's mistakes with file:line, got %d problems:\n%v", len(ps), err)
	}
	assertNamespacesGone(t, context.Background(), "api-load-")
}

func TestCancelCleansUp(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		cs := kubernetes.NewForConfigOrDie(testCluster.RESTConfig())
		for ctx.Err() == nil {
			l, err := cs.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{LabelSelector: "type=configmap"})
			if err == nil && len(l.Items) >= 50 {
				cancel() // like Ctrl-C in the middle of the create phase
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	_, _, err := runExample(t, ctx, "api-load", map[string]any{"CL2_NAMESPACES": 2, "CL2_CONFIGMAPS": 500})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	assertNamespacesGone(t, context.Background(), "api-load-")
}

// assertNamespacesGone checks that no namespace with prefix is left.
func assertNamespacesGone(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	cs := kubernetes.NewForConfigOrDie(testCluster.RESTConfig())
	l, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range l.Items {
		if strings.HasPrefix(ns.Name, prefix) {
			t.Errorf("namespace %s left behind (phase %s)", ns.Name, ns.Status.Phase)
		}
	}
}

// TestAPIResponsivenessFromPrometheus runs the API load against a real
// Prometheus scraping the embedded cluster (--enable-prometheus-server).
func TestAPIResponsivenessFromPrometheus(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	env := newTestEnv(t)
	err := metrics.StartEnvPrometheus(ctx, env, "127.0.0.1:0")
	if errors.Is(err, metrics.ErrNoPrometheus) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out strings.Builder
	_, err = Run(ctx, Options{
		Load:      LoadOptions{ConfigPath: "../examples/cl2/api-load/config.yaml", OverridePaths: overrides(t, map[string]any{"CL2_NAMESPACES": 3, "CL2_CONFIGMAPS": 100, "CL2_LISTS": 20}), Environ: []string{}},
		ReportDir: dir, Env: env, Out: &out, Progress: io.Discard,
	})
	t.Logf("summary:\n%s", out.String())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	pd := readPerfData(t, dir, "APIResponsivenessPrometheus_api-server-load-test")
	found := false
	for _, it := range pd.DataItems {
		if it.Labels["Resource"] == "configmaps" && it.Labels["Verb"] == "POST" {
			found = true
		}
	}
	if !found {
		t.Errorf("no POST configmaps row from Prometheus: %+v", pd.DataItems)
	}
}

// TestPendingPodsExplained: a wait for pods that cannot be scheduled fails
// with the scheduler's reason, as kube-burner jobs do.
func TestPendingPodsExplained(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pod.yaml", `apiVersion: v1
kind: Pod
metadata:
  name: {{.Name}}
  labels: {app: pinned}
spec:
  nodeSelector: {disktype: nvme}
  containers:
  - {name: c, image: registry.k8s.io/pause:3.10}
`)
	write("config.yaml", `name: pending
namespace: {number: 1, prefix: cl2-pending}
tuningSets:
- name: Fast
  qpsLoad: {qps: 50}
steps:
- name: create
  phases:
  - namespaceRange: {min: 1, max: 1}
    replicasPerNamespace: 3
    tuningSet: Fast
    objectBundle:
    - {basename: pinned, objectTemplatePath: pod.yaml}
- name: wait
  measurements:
  - Identifier: WaitPinned
    Method: WaitForRunningPods
    Params: {labelSelector: app = pinned, desiredPodCount: 3, timeout: 5s}
`)
	var out strings.Builder
	_, err := Run(ctx, Options{Load: LoadOptions{ConfigPath: filepath.Join(dir, "config.yaml"), Environ: []string{}},
		ReportDir: t.TempDir(), Env: newTestEnv(t), Out: &out, Progress: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "3 pods Pending") || !strings.Contains(err.Error(), "didn't match Pod's node affinity/selector") {
		t.Fatalf("run = %v, want the wait's failure with the scheduler's reason for 3 Pending pods", err)
	}
	assertNamespacesGone(t, ctx, "cl2-pending-")
}
