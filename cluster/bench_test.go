package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/clusterbench"
)

// benchStep is the child step of TestBench (see runChild).
const benchStep = "bench"

// runBenchChild runs a small Bench with profiles into dir and writes its
// result to dir/result.json; progress lines go to stderr.
func runBenchChild(dir string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := Bench(ctx, BenchOptions{Nodes: 20, Pods: 300, DeploymentSize: 120, Timeout: 2 * time.Minute, ProfileDir: filepath.Join(dir, "profiles"), Progress: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	b, err := json.Marshal(res)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "result.json"), b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench result:", err)
		return 1
	}
	return 0
}

// TestBench runs `perflab cluster bench`'s measurement at 20 nodes and 300
// pods (three Deployments: 120, 120, 60) in a child process (its own cluster) and checks that the figures
// hang together; it asserts no speed.
func TestBench(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+benchStep, childDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench child: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r clusterbench.Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Nodes != 20 || r.Pods != 300 {
		t.Errorf("result for %s, want 20x300", r.Size())
	}
	var tables strings.Builder
	if err := clusterbench.WriteTables(&tables, []clusterbench.Result{r}); err != nil {
		t.Fatal(err)
	}
	t.Logf("child output:\n%s\n%s\nscheduler %+v", out, tables.String(), r.Scheduler)
	for _, bad := range r.Check() {
		t.Error(bad)
	}
	if !strings.Contains(string(out), "bench pods Ready: 300/300 pods (100%)") || !strings.Contains(string(out), "scheduled 300") {
		t.Errorf("no final progress line with 300 Ready and scheduled:\n%s", out)
	}
	calls := map[string]clusterbench.APICall{}
	for _, c := range r.APICalls {
		calls[c.Name()] = c
		if c.Verb == "WATCH" || c.Verb == "CONNECT" {
			t.Errorf("API calls include %s, outside the SLI", c.Name())
		}
	}
	for _, name := range []string{"POST pods (resource)", "POST pods/binding (resource)", "PATCH pods/status (resource)"} {
		c, ok := calls[name]
		if !ok {
			t.Errorf("no %s row among %d API calls", name, len(r.APICalls))
			continue
		}
		if c.SLO != time.Second {
			t.Errorf("%s: SLO %s, want 1s", name, c.SLO)
		}
	}
	if c := calls["POST pods (resource)"]; c.Count < 300 {
		t.Errorf("POST pods counted %d calls, want at least 300", c.Count)
	}
	if s := r.Scheduler; s.Scheduled != 300 || s.AttemptP99 <= 0 || s.AttemptP50 > s.AttemptP99 {
		t.Errorf("scheduler metrics: %+v, want 300 scheduled and attempt quantiles", s)
	}
	if len(r.Timeline) == 0 || r.Timeline[len(r.Timeline)-1].Scheduled != 300 {
		t.Errorf("timeline %v does not end with 300 scheduled", r.Timeline)
	}
	for _, name := range []string{HeapNodesReadyProfile, CPULoadProfile, HeapLoadedProfile} {
		if fi, err := os.Stat(filepath.Join(dir, "profiles", name)); err != nil || fi.Size() == 0 {
			t.Errorf("profile %s: %v", name, err)
		}
	}
}

func TestBenchDeployments(t *testing.T) {
	tests := []struct {
		pods, size int
		want       []int
	}{
		{300, 120, []int{120, 120, 60}},
		{300, 100, []int{100, 100, 100}},
		{300, 0, []int{300}},
		{300, 300, []int{300}},
		{300, 1000, []int{300}},
		{1, 1000, []int{1}},
	}
	for _, tt := range tests {
		if got := benchDeployments(tt.pods, tt.size); !slices.Equal(got, tt.want) {
			t.Errorf("benchDeployments(%d, %d) = %v, want %v", tt.pods, tt.size, got, tt.want)
		}
	}
}
