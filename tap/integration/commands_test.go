package integration

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/perflab/perflab/tap"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// perflabBinary builds cmd/perflab once per test process; TestMain
// removes it.
func perflabBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "perflab-tap-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "perflab")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/perflab").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build perflab: %v", buildErr)
	}
	return binPath
}

// TestInitTap runs the guide's s2 job (shortened to 2 iterations) with
// --tap and finds the job's calls in the results, and the same summary
// from perflab tap summarize.
func TestInitTap(t *testing.T) {
	needCluster(t)
	bin := perflabBinary(t)
	work := t.TempDir()
	dir := filepath.Join(work, "results")
	config, err := filepath.Abs("../../examples/kube-burner/s2-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "init", "-c", config, "--set", "jobs.0.jobIterations=2",
		"--tap", "--kubeconfig", testCluster.Kubeconfig(), "--metrics-directory", dir, "--timeout", "3m", "--log-level", "warn")
	cmd.Dir = work // init writes kube-burner-<uuid>.log into its working directory
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("perflab init --tap: %v\n%s", err, out)
	}
	counts := map[string]int{}
	recs := readRecords(t, filepath.Join(dir, "calls.jsonl"))
	for _, r := range recs {
		counts[r.Verb+" "+r.Call()]++
	}
	if counts["create pods"] != 10 || counts["create namespaces"] != 2 || counts["watch pods"] == 0 {
		t.Errorf("calls %v: want 10 pod creates, 2 namespace creates and a pod watch", counts)
	}
	summary, err := os.ReadFile(filepath.Join(dir, "calls-summary.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, summary) {
		t.Errorf("the summary printed at the end differs from calls-summary.txt:\n%s", out)
	}
	again, err := exec.Command(bin, "tap", "summarize", filepath.Join(dir, "calls.jsonl")).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, summary) {
		t.Errorf("perflab tap summarize:\n%s\nwant calls-summary.txt:\n%s", again, summary)
	}
	if _, err := os.Stat(filepath.Join(dir, "tap.kubeconfig")); !os.IsNotExist(err) {
		t.Errorf("tap.kubeconfig left in the results: %v", err)
	}
}

// TestClusterUpAudit runs perflab cluster up --audit as its own process,
// stops it with SIGINT, and finds the scheduler's and controller-manager's
// calls in the converted records.
func TestClusterUpAudit(t *testing.T) {
	needCluster(t) // not this cluster: the flag's wiring needs the binary
	bin := perflabBinary(t)
	dataDir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "cluster", "up", "--audit", "--nodes", "1", "--data-dir", dataDir, "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "press Ctrl-C to stop") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("cluster up --audit: %v\n%s", err, out.String())
	}
	users := map[string]bool{}
	for _, r := range readRecords(t, filepath.Join(dataDir, "audit-calls.jsonl")) {
		if r.Source != tap.SourceAudit {
			t.Fatalf("record %+v: source %q", r, r.Source)
		}
		users[r.User] = true
	}
	for _, u := range []string{"system:kube-scheduler", "system:kube-controller-manager", "perflab-kwok"} {
		if !users[u] {
			t.Errorf("no call by %s in audit-calls.jsonl; users %v", u, users)
		}
	}
	if !strings.Contains(out.String(), "calls in the API server's audit log") {
		t.Errorf("no summary on exit:\n%s", out.String())
	}
}
