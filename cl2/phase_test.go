package cl2

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	testclock "k8s.io/utils/clock/testing"

	"github.com/perflab/perflab/progress"
)

// recorder is a fake objectAPI that records calls (pure-logic test of phases).
type recorder struct {
	mu    sync.Mutex
	calls []string
	// existing answers Count for listUnknownObjectOptions.
	existing int
}

func (r *recorder) add(s string) { r.mu.Lock(); r.calls = append(r.calls, s); r.mu.Unlock() }
func (r *recorder) Create(_ context.Context, ns string, o *unstructured.Unstructured) error {
	r.add(fmt.Sprintf("create %s %s/%s", o.GetKind(), ns, o.GetName()))
	return nil
}
func (r *recorder) Patch(_ context.Context, ns string, o *unstructured.Unstructured) error {
	r.add(fmt.Sprintf("patch %s %s/%s data=%v", o.GetKind(), ns, o.GetName(), o.Object["data"]))
	return nil
}
func (r *recorder) Delete(_ context.Context, gvk schema.GroupVersionKind, ns, name string) error {
	r.add(fmt.Sprintf("delete %s %s/%s", gvk.Kind, ns, name))
	return nil
}
func (r *recorder) Count(context.Context, schema.GroupVersionKind, string, string) (int, error) {
	return r.existing, nil
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	sort.Strings(out)
	return out
}

func TestPhasesReconcile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{.Name}}\ndata:\n  v: \"{{.Version}}\"\n")
	writeFile(t, filepath.Join(dir, "svc.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{.Name}}\n")
	writeFile(t, filepath.Join(dir, "c.yaml"), `name: phases
namespace: {number: 2, prefix: p}
tuningSets:
- name: fast
  parallelismLimitedLoad: {parallelismLimit: 3}
steps:
{{range $i, $n := StringSplit "2,2,1,0"}}
- name: to {{$n}}
  phases:
  - namespaceRange: {min: 1, max: 2}
    replicasPerNamespace: {{$n}}
    tuningSet: fast
    objectBundle:
    - basename: cm
      objectTemplatePath: cm.yaml
      templateFillMap: {Version: {{$i}}}
    - basename: svc
      objectTemplatePath: svc.yaml
{{end}}
`)
	tst, err := Load(LoadOptions{ConfigPath: filepath.Join(dir, "c.yaml"), Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	clk := testclock.NewFakeClock(time.Unix(0, 0))
	r := &runner{t: tst, objects: rec, state: newReplicaState(), pacers: newPacers(tst.Config.TuningSets, clk, 1),
		progress: progress.New(progress.Options{})}
	want := [][]string{
		{ // 0 -> 2: create <basename>-<i> in p-1 and p-2
			"create ConfigMap p-1/cm-0", "create ConfigMap p-1/cm-1", "create ConfigMap p-2/cm-0", "create ConfigMap p-2/cm-1",
			"create Service p-1/svc-0", "create Service p-1/svc-1", "create Service p-2/svc-0", "create Service p-2/svc-1"},
		{ // 2 -> 2: update every replica with the new template values
			"patch ConfigMap p-1/cm-0 data=map[v:1]", "patch ConfigMap p-1/cm-1 data=map[v:1]", "patch ConfigMap p-2/cm-0 data=map[v:1]", "patch ConfigMap p-2/cm-1 data=map[v:1]",
			"patch Service p-1/svc-0 data=<nil>", "patch Service p-1/svc-1 data=<nil>", "patch Service p-2/svc-0 data=<nil>", "patch Service p-2/svc-1 data=<nil>"},
		{ // 2 -> 1: delete the highest index
			"delete ConfigMap p-1/cm-1", "delete ConfigMap p-2/cm-1", "delete Service p-1/svc-1", "delete Service p-2/svc-1"},
		{ // 1 -> 0
			"delete ConfigMap p-1/cm-0", "delete ConfigMap p-2/cm-0", "delete Service p-1/svc-0", "delete Service p-2/svc-0"},
	}
	if len(tst.Steps) != len(want) {
		t.Fatalf("%d steps, want %d", len(tst.Steps), len(want))
	}
	for i, s := range tst.Steps {
		if err := r.runPhase(context.Background(), s.Phases[0]); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); !slices.Equal(got, want[i]) {
			t.Errorf("step %d (%s):\ngot  %q\nwant %q", i, s.Name, got, want[i])
		}
	}
}

// TestDeleteReversesBundle: within one replica, bundle members are deleted
// last-first (a Service before the Deployment it fronts, say).
func TestDeleteReversesBundle(t *testing.T) {
	rec := &recorder{}
	ph := &Phase{ObjectBundle: []*Object{{Basename: "a"}, {Basename: "b"}}}
	r := &runner{objects: rec, progress: progress.New(progress.Options{})}
	kinds := [][]schema.GroupVersionKind{{{Version: "v1", Kind: "ConfigMap"}}, {{Version: "v1", Kind: "Secret"}}}
	if err := r.runBundle(context.Background(), ph, kinds, replicaOp{opDelete, "ns-1", 3}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"delete Secret ns-1/b-3", "delete ConfigMap ns-1/a-3"}; !slices.Equal(rec.calls, want) {
		t.Errorf("got %q, want %q", rec.calls, want)
	}
}

func TestListUnknownObjects(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{.Name}}\n")
	writeFile(t, filepath.Join(dir, "c.yaml"), `name: unknown
namespace: {number: 1, prefix: u}
tuningSets: [{name: fast, parallelismLimitedLoad: {parallelismLimit: 1}}]
steps:
- phases:
  - namespaceRange: {min: 1, max: 1}
    replicasPerNamespace: 1
    tuningSet: fast
    objectBundle:
    - basename: cm
      objectTemplatePath: cm.yaml
      listUnknownObjectOptions:
        labelSelector: {matchLabels: {made-by: someone-else}}
`)
	tst, err := Load(LoadOptions{ConfigPath: filepath.Join(dir, "c.yaml"), Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{existing: 3}
	r := &runner{t: tst, objects: rec, state: newReplicaState(), pacers: newPacers(tst.Config.TuningSets, testclock.NewFakeClock(time.Unix(0, 0)), 1),
		progress: progress.New(progress.Options{})}
	if err := r.runPhase(context.Background(), tst.Steps[0].Phases[0]); err != nil {
		t.Fatal(err)
	}
	// Three objects exist that perflab did not create: replicas 2 and 1 go.
	if want := []string{"delete ConfigMap u-1/cm-1", "delete ConfigMap u-1/cm-2"}; !slices.Equal(rec.take(), want) {
		t.Errorf("want %q", want)
	}
}
