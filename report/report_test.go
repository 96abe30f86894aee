package report

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
	"github.com/perflab/perflab/measure"
)

// fixtures are result directories of real perflab runs (and one in
// kube-burner's own layout), one per page shape.
var fixtures = []struct {
	dir  string
	kind Kind
}{
	{"kube-burner-s1", KubeBurner},
	{"kube-burner-qps5-1", KubeBurner},
	{"kube-burner-native", KubeBurner},
	{"kube-burner-partial", KubeBurner},
	{"cl2-pod-startup", ClusterLoader2},
	{"netperf-run", Netperf},
	{"netperf-lab", Netperf},
	{"cluster-bench", ClusterBench},
}

func load(t testing.TB, dirs ...string) []*Run {
	t.Helper()
	for i, d := range dirs {
		dirs[i] = filepath.Join("testdata", d)
	}
	runs, err := LoadAll(dirs)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func TestPageGolden(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.dir, func(t *testing.T) {
			runs := load(t, f.dir)
			if runs[0].Kind != f.kind {
				t.Fatalf("kind %s, want %s", runs[0].Kind, f.kind)
			}
			b, err := json.MarshalIndent(BuildPage(runs), "", " ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", f.dir+".json"), append(b, '\n'))
		})
	}
}

func TestNativeKubeBurner(t *testing.T) {
	r := load(t, "kube-burner-native")[0]
	if len(r.Pods["node-density"]) != 50 || len(r.Series["API99thLatency"]) != 36 || len(r.Alerts) != 1 {
		t.Errorf("pods %d, series %d, alerts %d; want 50, 36, 1", len(r.Pods["node-density"]), len(r.Series["API99thLatency"]), len(r.Alerts))
	}
	if r.Jobs[0].JobConfig.Objects[0].Replicas != 1 || r.Jobs[0].Version == "" {
		t.Errorf("job summary: %+v", r.Jobs[0])
	}
}

func TestPartialRunSaysSo(t *testing.T) {
	p := BuildPage(load(t, "kube-burner-partial"))
	if !strings.HasPrefix(p.Runs[0].Partial, "timed out") {
		t.Errorf("partial = %q, want it to say the run timed out", p.Runs[0].Partial)
	}
}

func TestCompareQPS(t *testing.T) {
	qps5 := load(t, "kube-burner-qps5-1", "kube-burner-qps5-2", "kube-burner-qps5-3")
	qps50 := load(t, "kube-burner-qps50-1", "kube-burner-qps50-2", "kube-burner-qps50-3")
	fig := func(c *Comparison, name string) Figure {
		for _, f := range c.Figures {
			if f.Name == name {
				return f
			}
		}
		t.Fatalf("no figure %q in %v", name, c.Figures)
		return Figure{}
	}
	// Slower creation (qps 50 → 5) as the candidate: job duration regressed.
	c, err := Compare(qps50, qps5, CompareOptions{Tolerance: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	d := fig(c, "create-pods job duration")
	if d.Method != MethodWelch || !d.Significant || d.Verdict != VerdictRegression || !c.Regressed() {
		t.Errorf("job duration: %+v, regressed %v", d, c.Regressed())
	}
	b, _ := json.MarshalIndent(c, "", " ")
	golden.Check(t, "testdata/golden/compare-qps50-qps5.json", append(b, '\n'))

	// Same qps, one run a side: per-pod data, bootstrap; no latency change.
	same, err := Compare(qps5[:1], qps5[1:2], CompareOptions{Tolerance: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range same.Figures {
		if f.Method == MethodBootstrap && f.Significant {
			t.Errorf("same qps: %s significant (%+v)", f.Name, f)
		}
	}
	if fig(same, "create-pods job duration").Method != MethodTolerance {
		t.Error("one run a side: job duration must be judged by the tolerance alone")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(path string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "empty")
	write(filepath.Join(empty, "notes.txt"), []byte("x"))
	truncated := filepath.Join(dir, "truncated")
	full, err := os.ReadFile("testdata/kube-burner-qps5-1/podLatencyMeasurement-create-pods.json")
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(truncated, "podLatencyMeasurement-create-pods.json"), full[:len(full)/2])
	bad := filepath.Join(dir, "bad")
	write(filepath.Join(bad, "jobSummary.json"), []byte("[\n {\"elapsedTime\": \"long\"}\n]\n"))

	if _, err := Load(empty); !errors.Is(err, ErrNoResults) || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty: %v", err)
	}
	_, err = Load(truncated)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(truncated, "podLatencyMeasurement-create-pods.json")+":") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated: %v", err)
	}
	_, err = Load(bad)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(bad, "jobSummary.json")+":2: field ") || !strings.Contains(err.Error(), "elapsedTime") {
		t.Errorf("bad field: %v", err)
	}
	_, err = Compare(load(t, "kube-burner-qps5-1"), load(t, "cl2-pod-startup"), CompareOptions{})
	if err == nil || !strings.Contains(err.Error(), "kube-burner-qps5-1") || !strings.Contains(err.Error(), "cl2-pod-startup") {
		t.Errorf("different kinds: %v", err)
	}
	onlyHeader := filepath.Join(dir, "only-header")
	write(filepath.Join(onlyHeader, RunInfoFile), []byte(`{"kind":"clusterloader2","exitCode":130,"why":"context canceled"}`))
	if r, err := Load(onlyHeader); err != nil || r.Kind != ClusterLoader2 || r.Partial() != "interrupted: context canceled" {
		t.Errorf("a run that wrote only its header: %v %+v", err, r)
	}
	out := filepath.Join(dir, "out", "report.html")
	if err := Generate([]string{truncated}, out); err == nil {
		t.Error("bad input must fail")
	}
	if _, err := os.Stat(filepath.Dir(out)); err == nil {
		ents, _ := os.ReadDir(filepath.Dir(out))
		t.Errorf("bad input left files: %v", ents)
	}
}

// syntheticRun is a kube-burner run of n pods with log-normal latencies.
func syntheticRun(n int) *Run {
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pods := make([]measure.PodLatency, n)
	for i := range pods {
		s := int(200 * rng.ExpFloat64())
		r := s + int(1000*rng.ExpFloat64())
		pods[i] = measure.PodLatency{Timestamp: start.Add(time.Duration(i) * 10 * time.Millisecond), SchedulingLatency: s,
			InitializedLatency: r - 50, ContainersReadyLatency: r, PodReadyLatency: r, Name: "pod", Namespace: "ns", JobName: "big"}
	}
	return &Run{Dir: "synthetic", Kind: KubeBurner, Pods: map[string][]measure.PodLatency{"big": pods}}
}

// 150,000 pods must not make a big page: everything is aggregated.
func TestPageSizeDoesNotGrowWithPods(t *testing.T) {
	small, err := HTML(BuildPage([]*Run{syntheticRun(100)}))
	if err != nil {
		t.Fatal(err)
	}
	big, err := HTML(BuildPage([]*Run{syntheticRun(150000)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("page of 100 pods: %d bytes; of 150,000 pods: %d bytes", len(small), len(big))
	if len(big) > 400<<10 || len(big) > len(small)+64<<10 {
		t.Errorf("150,000 pods: %d bytes (100 pods: %d)", len(big), len(small))
	}
}

func BenchmarkBuildPage150kPods(b *testing.B) {
	r := syntheticRun(150000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HTML(BuildPage([]*Run{r})); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare150kPods(b *testing.B) {
	x, y := syntheticRun(150000), syntheticRun(150000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare([]*Run{x}, []*Run{y}, CompareOptions{Tolerance: 0.1}); err != nil {
			b.Fatal(err)
		}
	}
}

// Runs with API server figures compare their latencies (not WATCH) and error
// rates; one run a side, by the tolerance alone.
func TestCompareAPIFigures(t *testing.T) {
	c, err := Compare(load(t, "kube-burner-s1"), load(t, "kube-burner-partial"), CompareOptions{Tolerance: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	var api int
	for _, f := range c.Figures {
		if strings.HasPrefix(f.Name, "apiserverP90LatencyByVerb") || strings.HasPrefix(f.Name, "etcdP99") || strings.HasPrefix(f.Name, "apiserverErrorRate") {
			api++
			if strings.Contains(f.Name, "verb=WATCH") || f.Method != MethodTolerance {
				t.Errorf("%+v", f)
			}
		}
	}
	if api == 0 {
		t.Error("no API figure compared")
	}
}

func TestPartial(t *testing.T) {
	info := func(code int, why string) *RunInfo { return &RunInfo{Kind: KubeBurner, ExitCode: code, Why: why} }
	jobs := []JobSummary{{}}
	tests := []struct {
		name string
		run  Run
		want string
	}{
		{"complete", Run{Kind: KubeBurner, Jobs: jobs, Info: info(0, "")}, ""},
		{"timeout", Run{Kind: KubeBurner, Jobs: jobs, Info: info(2, "run exceeded its timeout 8s")}, "timed out: run exceeded its timeout 8s"},
		{"interrupted", Run{Kind: KubeBurner, Jobs: jobs, Info: info(130, "context canceled")}, "interrupted: context canceled"},
		{"threshold", Run{Kind: KubeBurner, Jobs: jobs, Info: info(4, "P99 Ready 6s > 5s")}, ""},
		{"failed", Run{Kind: KubeBurner, Jobs: jobs, Info: info(1, "")}, "failed: the run failed"},
		{"no summary, kube-burner's own files", Run{Kind: KubeBurner, Pods: map[string][]measure.PodLatency{"j": {{}}}}, "no jobSummary.json: the run ended before writing its summary (timed out or interrupted)"},
		{"nothing written", Run{Kind: KubeBurner, Info: &RunInfo{Kind: KubeBurner}}, "no results were written: the run ended before its first result"},
	}
	for _, tc := range tests {
		if got := tc.run.Partial(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
