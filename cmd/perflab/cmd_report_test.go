package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/netperf"
	"github.com/perflab/perflab/report"
)

func reportFixtures(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join("..", "..", "report", "testdata", n)
	}
	return out
}

func TestCompareExitCodes(t *testing.T) {
	qps5 := reportFixtures("kube-burner-qps5-1", "kube-burner-qps5-2", "kube-burner-qps5-3")
	qps50 := reportFixtures("kube-burner-qps50-1", "kube-burner-qps50-2", "kube-burner-qps50-3")
	html := filepath.Join(t.TempDir(), "compare.html")
	tests := []struct {
		name       string
		o          compareOptions
		args       []string
		code       int
		wantOutput string
	}{
		{"slower candidate regresses", compareOptions{baseline: qps50, candidate: qps5, tolerance: 0.1, format: "table", out: html}, nil, exitcode.Threshold, "decided by: create-pods job duration"},
		{"faster candidate", compareOptions{baseline: qps5, candidate: qps50, tolerance: 0.1, format: "json"}, nil, exitcode.OK, `"method": "run-to-run spread (Welch t)"`},
		{"same qps, one run a side", compareOptions{tolerance: 0.1, format: "table"}, []string{qps5[0], qps5[1]}, exitcode.OK, "tolerance only (single values)"},
		{"bad format", compareOptions{tolerance: 0.1, format: "yaml"}, []string{qps5[0], qps5[1]}, exitcode.Error, ""},
		{"one side only", compareOptions{tolerance: 0.1, format: "table"}, []string{qps5[0]}, exitcode.Error, ""},
		{"different kinds", compareOptions{tolerance: 0.1, format: "table"}, []string{qps5[0], reportFixtures("cl2-pod-startup")[0]}, exitcode.Error, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runCompare(&tc.o, tc.args, &out)
			if got := exitcode.Of(err); got != tc.code {
				t.Fatalf("exit code %d (%v), want %d\n%s", got, err, tc.code, out.String())
			}
			if !strings.Contains(out.String(), tc.wantOutput) {
				t.Errorf("output lacks %q:\n%s", tc.wantOutput, out.String())
			}
		})
	}
	if _, err := os.Stat(html); err != nil {
		t.Errorf("-o: %v", err)
	}
}

func TestPercentFlag(t *testing.T) {
	for in, want := range map[string]float64{"10%": 0.10, "0.05": 0.05, " 2.5% ": 0.025} {
		var p percentValue
		if err := p.Set(in); err != nil || float64(p) != want {
			t.Errorf("%q: %v %v, want %v", in, float64(p), err, want)
		}
	}
	var p percentValue
	if err := p.Set("-3%"); err == nil {
		t.Error("negative tolerance accepted")
	}
}

// A netperf run with --report-dir ends with report.html there (built from
// netperf-results.json); --no-report leaves it out.
func TestNetperfRunWritesReport(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := netperf.NewServer(ctx, netperf.ServerOptions{Bind: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	for _, off := range []bool{false, true} {
		dir := t.TempDir()
		args := []string{"netperf", "run", "--server", srv.Addr().String(), "--test", "TCP_RR", "--duration", "300ms", "--report-dir", dir}
		if off {
			args = append(args, "--no-report")
		}
		if out, err := runCLI(t, args...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		page, err := os.ReadFile(filepath.Join(dir, "report.html"))
		switch {
		case off && err == nil:
			t.Error("--no-report wrote report.html")
		case !off && err != nil:
			t.Fatal(err)
		case !off && !strings.Contains(string(page), `"TCP_RR"`):
			t.Error("report.html lacks the TCP_RR result")
		}
		if _, err := os.Stat(filepath.Join(dir, netperf.ResultsFileName)); err != nil {
			t.Error(err)
		}
	}
}

// perflab init on an embedded cluster ends with report.html in its metrics
// directory, with the run's header and API figures (the done-when,
// with s1-config.yaml).
func TestInitWritesReport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	// An embedded cluster is one per process, and other tests of this
	// package start one: the run goes in a child process of this test binary.
	if dir := os.Getenv("PERFLAB_TEST_INIT_DIR"); dir != "" {
		if out, err := runCLI(t, "init", "-c", os.Getenv("PERFLAB_TEST_INIT_CONFIG"), "--embedded", "--uuid", "report-test", "--metrics-directory", dir); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	config, err := filepath.Abs("../../examples/kube-burner/s1-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "results")
	child := exec.Command(os.Args[0], "-test.run", "^TestInitWritesReport$", "-test.v")
	child.Dir = t.TempDir() // the run log kube-burner-<uuid>.log goes here
	child.Env = append(os.Environ(), "PERFLAB_TEST_INIT_DIR="+dir, "PERFLAB_TEST_INIT_CONFIG="+config)
	if out, err := child.CombinedOutput(); err != nil {
		t.Fatalf("perflab init in a child process: %v\n%s", err, out)
	}
	for _, name := range []string{"report.html", report.RunInfoFile, metrics.FiguresFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	r, err := report.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.ExitCode != 0 || r.Info.Target == "" || r.Info.Nodes != 1 || r.Figures == nil || r.Figures.TotalRequests == 0 {
		t.Errorf("header %+v, figures %+v", r.Info, r.Figures)
	}
}
