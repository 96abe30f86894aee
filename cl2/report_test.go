package cl2

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
)

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

var t0 = time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)

func sampleReport() *Report {
	return &Report{
		Name: "pod-startup-latency-test", ConfigPath: "examples/cl2/pod-startup/config.yaml",
		Start: t0, Duration: 12345 * time.Millisecond,
		Steps: []StepResult{
			{Name: "[step: 01] Start [00] - PodStartupLatency", Duration: 20 * time.Millisecond},
			{Name: "[step: 02] Create pods", Duration: 10 * time.Second},
			{Name: "[step: 03] Wait [00] - WaitForRunningPods", Duration: 2 * time.Second, Err: errors.New("WaitForRunningPods: 49 of 50 desired pods running: timed out")},
		},
		Checks: []Check{
			{Name: "PodStartupLatency PodStartupLatency", Pass: false, Enforced: true, Detail: "pod_startup p99 1.2s > 1ms over 50 pods"},
			{Name: "APIResponsivenessPrometheus APIResponsiveness", Pass: false, Enforced: false, Detail: "PATCH configmaps (resource) p99 1.5s > 1s"},
			{Name: "SchedulingThroughput SchedulingThroughput", Pass: true, Detail: "max 10.0 pods/s"},
		},
		Summaries: []Summary{{Name: "PodStartupLatency_PodStartupLatency", Ext: "json", Content: []byte("{}"), Time: t0}},
	}
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "junit.xml", b.Bytes())
}

func TestSummaryGolden(t *testing.T) {
	var b bytes.Buffer
	sampleReport().PrintSummary(&b)
	checkGolden(t, "summary.txt", b.Bytes())
}

func TestWriteReportFiles(t *testing.T) {
	dir := t.TempDir()
	r := sampleReport()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	want := []string{"PodStartupLatency_PodStartupLatency_pod-startup-latency-test_2026-11-21T06:00:00Z.json", "junit.xml"}
	for _, w := range want {
		if _, err := os.Stat(filepath.Join(dir, w)); err != nil {
			t.Errorf("missing %s: %v", w, err)
		}
	}
	if len(r.Files) != 2 {
		t.Errorf("Files = %v", r.Files)
	}
}

// TestFailedRunNeverPasses: a run that failed outside its steps (no step
// ran) reports FAIL and writes a failing junit.xml.
func TestFailedRunNeverPasses(t *testing.T) {
	r := &Report{Name: "t", ConfigPath: "c.yaml", Err: errors.New("create namespace x: forbidden")}
	if !r.Failed() {
		t.Error("Failed() = false for a run with an error")
	}
	var junit, sum bytes.Buffer
	if err := r.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), "<failure") || !strings.Contains(junit.String(), "forbidden") {
		t.Errorf("junit of a failed run has no failure:\n%s", junit.String())
	}
	r.PrintSummary(&sum)
	if !strings.Contains(sum.String(), ": FAIL in") || !strings.Contains(sum.String(), "FAIL create namespace x") {
		t.Errorf("summary:\n%s", sum.String())
	}
}
