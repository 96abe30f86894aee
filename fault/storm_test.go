package fault

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// A 429 storm: the API server runs with --max-requests-inflight 1 and
// --max-mutating-requests-inflight 1, so API Priority and Fairness gives the
// admin's priority level (global-default) one seat and its queues fill up.
// Five `perflab init` runs as the admin (not exempt from APF) create 600
// ConfigMaps each at qps 1000, i.e. 500 requests in flight against 300
// queue places. APF must reject some with 429 (its counter says how many);
// every run must retry and complete with all its objects. A
// beforeJobExecution hook holds each run until all five are started, so
// they overlap whatever the machine's load. (Each run has its own job name:
// cleanup deletes earlier runs of the same job name.)
func TestTooManyRequestsStorm(t *testing.T) {
	skipShort(t)
	const runs, n = 5, 600
	cl := startCluster(t, t.TempDir(), "--nodes", "1", "--max-requests-inflight", "1", "--max-mutating-requests-inflight", "1")
	c := cl.client(t)
	before := rejected(t, cl)
	barrier := t.TempDir()
	var procs []*proc
	for i := range runs {
		ns := fmt.Sprintf("fault-storm-%d", i)
		cfg := writeFiles(t, map[string]string{"cm.yaml": configMapTemplate, "config.yaml": fmt.Sprintf(`
jobs:
  - name: %[1]s
    jobIterations: %[2]d
    qps: 1000
    burst: 1000
    namespace: %[3]s
    namespacedIterations: false
    preLoadImages: false
    hooks:
      - cmd: ["sh", "-c", "touch %[4]s/ready-%[3]s; while [ ! -e %[4]s/go ]; do sleep 0.05; done"]
        when: beforeJobExecution
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`, ns, n, ns, barrier)})
		procs = append(procs, start(t, "init", "-c", filepath.Join(cfg, "config.yaml"), "--kubeconfig", cl.kubeconfig(),
			"--uuid", ns, "--metrics-directory", filepath.Join(cfg, "out"), "--timeout", "4m"))
	}
	waitFor(t, 2*time.Minute, "every run at the barrier", func(context.Context) (bool, error) {
		m, err := filepath.Glob(filepath.Join(barrier, "ready-*"))
		return len(m) == runs, err
	})
	if err := os.WriteFile(filepath.Join(barrier, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, p := range procs {
		if code := p.wait(t, 5*time.Minute); code != 0 {
			t.Errorf("run %d: exit %d:\n%s", i, code, p.out)
		}
	}
	got := rejected(t, cl) - before
	t.Logf("APF rejected %d requests of global-default with 429", got)
	if got == 0 {
		t.Errorf("no request was rejected: the storm did not meet APF (is the admin exempt?)")
	}
	for i := range runs {
		ns := fmt.Sprintf("fault-storm-%d", i)
		names, err := configMapNames(context.Background(), c, ns, "kube-burner.io/uuid="+ns)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != n {
			t.Errorf("run %d: %d ConfigMaps, want %d", i, len(names), n)
		}
	}
}

var rejectedLine = regexp.MustCompile(`(?m)^apiserver_flowcontrol_rejected_requests_total\{[^}]*priority_level="global-default"[^}]*\} (\S+)$`)

// rejected sums APF's rejections in the global-default priority level, from
// the API server's /metrics.
func rejected(t *testing.T, cl *cluster) int {
	t.Helper()
	body, err := cl.client(t).CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, m := range rejectedLine.FindAllStringSubmatch(string(body), -1) {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		total += int(v)
	}
	return total
}
