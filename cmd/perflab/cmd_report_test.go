package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perflab/perflab/exitcode"
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
		var p percent
		if err := p.Set(in); err != nil || float64(p) != want {
			t.Errorf("%q: %v %v, want %v", in, float64(p), err, want)
		}
	}
	var p percent
	if err := p.Set("-3%"); err == nil {
		t.Error("negative tolerance accepted")
	}
}
