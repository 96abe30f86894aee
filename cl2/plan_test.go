package cl2

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/clock"

	"github.com/perflab/perflab/progress"
)

const podTemplate = `apiVersion: v1
kind: Pod
metadata:
  name: {{.Name}}
  labels:
    app: big
spec:
  containers:
  - name: c
    image: registry.k8s.io/pause:3.10
`

// bigConfig creates then deletes {{.R}} pods in each of 3 namespaces.
const bigConfig = `name: big
namespace:
  number: 3
  prefix: big
tuningSets:
- name: fast
  parallelismLimitedLoad:
    parallelismLimit: 8
steps:
- name: create
  phases:
  - namespaceRange:
      min: 1
      max: 3
    replicasPerNamespace: {{.R}}
    tuningSet: fast
    objectBundle:
    - basename: pod
      objectTemplatePath: pod.yaml
- name: delete
  phases:
  - namespaceRange:
      min: 1
      max: 3
    replicasPerNamespace: 0
    tuningSet: fast
    objectBundle:
    - basename: pod
      objectTemplatePath: pod.yaml
`

func bigConfigPath(t *testing.T, replicas int) (string, []string) {
	t.Helper()
	path := writeConfig(t, bigConfig, map[string]string{"pod.yaml": podTemplate})
	return path, overrides(t, map[string]any{"R": replicas})
}

// TestTotalsAndLimit: the totals are counted from the config, and a count
// past the limit is refused at the phase that passes it, before anything runs.
func TestTotalsAndLimit(t *testing.T) {
	tests := []struct {
		name     string
		replicas int
		max      int64
		want     string // in Totals or the error
	}{
		{"small", 10, 0, "3 namespaces, 60 actions: 30 creates, 0 updates, 30 deletes of objects"},
		{"absurd", 100000000, 0, "config.yaml:15: steps[0].phases[0].replicasPerNamespace: the test would make 300000003 object calls and namespaces by here"},
		{"tight limit", 10, 40, "config.yaml:25: steps[1].phases[0].replicasPerNamespace: the test would make 63 object calls"},
		{"no limit", 100000000, -1, "3 namespaces, 600000000 actions: 300000000 creates, 0 updates, 300000000 deletes of objects"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, ov := bigConfigPath(t, tc.replicas)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			test, err := Load(LoadOptions{ConfigPath: path, OverridePaths: ov, Environ: []string{}, Nodes: 1, MaxObjects: tc.max})
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = test.Totals.String()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("counting allocated %d MB", alloc>>20)
			}
		})
	}
}

// TestDryRunPrintsTotals: --dry-run reports what it would create.
func TestDryRunPrintsTotals(t *testing.T) {
	path, ov := bigConfigPath(t, 7)
	var out strings.Builder
	if err := CheckConfig(LoadOptions{ConfigPath: path, OverridePaths: ov, Environ: []string{}, Nodes: 1}, true, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "ok; it would make 3 namespaces, 42 actions: 21 creates, 0 updates, 21 deletes of objects") {
		t.Errorf("dry run output:\n%s", out.String())
	}
}

// countingObjects is an objectAPI that counts creates and cancels the run
// after a number of them, like Ctrl-C in the middle of a phase.
type countingObjects struct {
	creates atomic.Int64
	after   int64
	cancel  context.CancelFunc
}

func (c *countingObjects) Create(ctx context.Context, _ string, _ *unstructured.Unstructured) error {
	if c.creates.Add(1) == c.after {
		c.cancel()
	}
	return nil
}
func (c *countingObjects) Patch(context.Context, string, *unstructured.Unstructured) error {
	return nil
}
func (c *countingObjects) Delete(context.Context, schema.GroupVersionKind, string, string) error {
	return nil
}
func (c *countingObjects) Count(context.Context, schema.GroupVersionKind, string, string) (int, error) {
	return 0, nil
}

// TestPhaseStreamsActions runs a phase of 300 million creates (the limit
// lifted) and interrupts it after 2,000: the phase returns at once with
// context.Canceled, having allocated a few MB. Built as a list, the plan
// alone took 8 GB or more (issue 14 §2: killed at 21 GB).
func TestPhaseStreamsActions(t *testing.T) {
	path, ov := bigConfigPath(t, 100000000)
	test, err := Load(LoadOptions{ConfigPath: path, OverridePaths: ov, Environ: []string{}, Nodes: 1, MaxObjects: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	objs := &countingObjects{after: 2000, cancel: cancel}
	r := &runner{t: test, objects: objs, state: newReplicaState(),
		progress: progress.New(progress.Options{Name: "big", Unit: "actions", Interval: time.Hour, Out: io.Discard, Now: time.Now}),
		pacers:   newPacers(test.Config.TuningSets, clock.RealClock{}, 1)}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	err = r.runPhase(ctx, test.Steps[0].Phases[0])
	took := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("runPhase = %v, want context.Canceled", err)
	}
	if n := objs.creates.Load(); n < 2000 || n > 2100 {
		t.Errorf("%d creates after the cancel at 2000", n)
	}
	if got := r.actions.Load(); got != 300000000 {
		t.Errorf("progress total %d, want 300000000", got)
	}
	// Rendering 2,000 pods allocates about 20 MB; the plan adds nothing.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
		t.Errorf("the phase allocated %d MB", alloc>>20)
	}
	t.Logf("2,000 of 300,000,000 actions, then cancelled: %v, %d MB allocated", took, (after.TotalAlloc-before.TotalAlloc)>>20)
}

// TestHugeLoopRefused: a loop of 200 million items in the config or an
// object template is refused naming the file and line, within a few MB.
func TestHugeLoopRefused(t *testing.T) {
	tests := []struct {
		name, config, pod, file, want string
	}{
		{"config", "{{range $i := Loop 200000000}}\n{{end}}" + bigConfig, podTemplate, "config.yaml:1: template: ", "error calling Loop: Loop 200000000: more than 1000000 items"},
		{"object template", bigConfig, "{{range $i := SliceOfZeros 200000000}}{{end}}\n" + podTemplate, "pod.yaml:1: template: ", "error calling SliceOfZeros: SliceOfZeros 200000000: more than 1000000 items"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.config, map[string]string{"pod.yaml": tc.pod})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Load(LoadOptions{ConfigPath: path, OverridePaths: overrides(t, map[string]any{"R": 1}), Environ: []string{}, Nodes: 1})
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.file) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}
