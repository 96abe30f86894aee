package integration

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/kube"
)

// TestHooksWatchersRepeat runs a kube-burner v2 job with hooks at every
// stage it reaches, two watchers on its ConfigMaps and an object created
// every second iteration.
func TestHooksWatchersRepeat(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	hookFile := filepath.Join(t.TempDir(), "hooks.log")
	t.Setenv("HOOK_FILE", hookFile)
	cfg := writeConfig(t, map[string]string{"cm.yaml": configMapTemplate,
		"shared.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared-{{ .Iteration }}\n",
		"config.yaml": `
global:
  gc: true
jobs:
  - name: v2features
    jobIterations: 5
    qps: 50
    burst: 50
    namespace: v2features
    namespacedIterations: false
    preLoadImages: false
    jobPause: 1s # watchers stop after the pause, as in kube-burner: events in flight arrive
    hooks:
{{- range $stage := list "beforeJobExecution" "onEachIteration" "afterJobExecution" "beforeCleanup" "afterCleanup" "beforeGC" "afterGC" }}
      - cmd: ["sh", "-c", "echo {{ $stage }} $PERFLAB_JOB >> {{ env "HOOK_FILE" }}"]
        when: {{ $stage }}
{{- end }}
      - cmd: ["sh", "-c", "sleep 0.3; echo background >> {{ env "HOOK_FILE" }}"]
        when: beforeJobExecution
        background: true
    watchers:
      - kind: ConfigMap
        labelSelector: {kube-burner.io/job: v2features}
        replicas: 2
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
      - objectTemplate: shared.yaml
        replicas: 1
        repeatEveryNIterations: 2
`})
	out := run(t, ctx, cfg)
	if out.err != nil {
		t.Fatal(out.err)
	}
	j := out.rep.Jobs[0]
	// 5 cm-<i>-1 and shared-0..2 (iterations 0, 2 and 4, rendered 0, 1, 2).
	if j.Objects != 8 {
		t.Errorf("created %d objects, want 8", j.Objects)
	}
	b, err := os.ReadFile(hookFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var stages []string
	for _, l := range lines {
		stage, job, _ := strings.Cut(l, " ")
		if stage != "background" && job != "v2features" {
			t.Errorf("hook line %q: want the job name from PERFLAB_JOB", l)
		}
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
	}
	// kube-burner's order: beforeGC/afterGC around the cleanup of earlier
	// runs before the first job, beforeCleanup after the job; global gc
	// without gcMetrics runs no hooks (afterCleanup runs only after a job's
	// own gc, see TestJobGC).
	want := []string{"beforeGC", "afterGC", "beforeJobExecution", "onEachIteration", "afterJobExecution", "beforeCleanup"}
	got := slices.DeleteFunc(slices.Clone(stages), func(s string) bool { return s == "background" })
	got = slices.Compact(got)
	if !slices.Equal(got, want) {
		t.Errorf("hook stages in order: %v, want %v", got, want)
	}
	if n := strings.Count(string(b), "onEachIteration"); n != 5 {
		t.Errorf("onEachIteration ran %d times, want 5", n)
	}
	if !strings.Contains(string(b), "background") {
		t.Error("the background hook's output is missing: it was not waited for")
	}
	if len(j.Watchers) != 1 || j.Watchers[0].Replicas != 2 {
		t.Fatalf("watchers: %+v", j.Watchers)
	}
	// Each of the two watches sees at least the 8 ConfigMaps being added.
	if ev := j.Watchers[0].Events; ev < 16 {
		t.Errorf("watchers saw %d events, want at least 16 (8 ConfigMaps × 2 replicas)", ev)
	}
}

// TestFailingHookStopsJob: a foreground hook that fails fails the job
// before anything is created.
func TestFailingHookStopsJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"cm.yaml": configMapTemplate, "config.yaml": `
jobs:
  - name: hookfails
    jobIterations: 2
    namespace: hookfails
    preLoadImages: false
    hooks:
      - cmd: ["sh", "-c", "echo cannot start; exit 3"]
        when: beforeJobExecution
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if out.err == nil || !strings.Contains(out.err.Error(), "cannot start") {
		t.Fatalf("run = %v, want the hook's failure with its output", out.err)
	}
	if out.rep.Jobs[0].Objects != 0 {
		t.Errorf("created %d objects after the hook failed", out.rep.Jobs[0].Objects)
	}
}

// TestIncrementalLoad grows a create job 2 → 4 → 6 iterations: each step
// creates its full count, the earlier steps are deleted before the next,
// and the last step's objects remain.
func TestIncrementalLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"cm.yaml": configMapTemplate,
		"health.sh": "kubectl_free_check=ok\necho healthy\n",
		"config.yaml": `
jobs:
  - name: incremental
    jobIterations: 1
    qps: 50
    burst: 50
    namespace: incremental
    namespacedIterations: true
    iterationsPerNamespace: 2
    preLoadImages: false
    incrementalLoad:
      startIterations: 2
      totalIterations: 6
      stepDelay: 100ms
      pattern:
        type: linear
        linear: {stepSize: 2}
      healthCheckScript: health.sh
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if out.err != nil {
		t.Fatal(out.err)
	}
	if j := out.rep.Jobs[0]; j.Objects != 2+4+6 {
		t.Errorf("created %d objects over the steps, want 12", j.Objects)
	}
	cms, err := client.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{LabelSelector: kube.LabelRunID + "=" + out.runID})
	if err != nil {
		t.Fatal(err)
	}
	if len(cms.Items) != 6 {
		t.Errorf("%d ConfigMaps after the last step, want 6", len(cms.Items))
	}
	if ns := namespaces(t, kube.LabelRunID+"="+out.runID); len(ns) != 3 {
		t.Errorf("%d namespaces after the last step, want 3", len(ns))
	}
	destroy(t, out.uuid)
}

// TestTimeoutExplainsPendingPods: when the run's own timeout ends a job
// whose pods cannot be scheduled, the job still says why.
func TestTimeoutExplainsPendingPods(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: pinned-{{ .Iteration }}
spec:
  nodeSelector: {disktype: nvme}
  containers:
  - name: c
    image: registry.k8s.io/pause:3.10
`, "config.yaml": `
global:
  timeout: 8s
jobs:
  - name: unschedulable
    jobIterations: 2
    namespace: unschedulable
    preLoadImages: false
    objects:
      - objectTemplate: pod.yaml
        replicas: 1
`})
	out := run(t, ctx, cfg)
	if out.err == nil || !strings.Contains(out.err.Error(), "timeout") {
		t.Fatalf("run = %v, want the run's timeout", out.err)
	}
	d := out.rep.Jobs[0].Diagnosis
	if !contains(d, "2 pods Pending", "didn't match Pod's node affinity/selector") {
		t.Errorf("diagnosis %q, want the 2 pods and the scheduler's reason", d)
	}
	if ns := namespaces(t, kube.LabelRunID+"="+out.runID); len(ns) != 0 {
		t.Errorf("the failed run left %d namespaces", len(ns))
	}
}
