package cl2

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/perflab/perflab/measure"
)

// Every method the registry says perflab runs has its params declared here,
// and a way to run it.
func TestMethodsMatchRegistry(t *testing.T) {
	runs := registry.Names(measure.ClusterLoader2, measure.Measured, measure.Step)
	var have []string
	for n, s := range methods {
		have = append(have, n)
		if s.newFn == nil {
			t.Errorf("%s: no instance maker", n)
		}
	}
	slices.Sort(have)
	if !slices.Equal(runs, have) {
		t.Errorf("registry runs %v; cl2 declares %v", runs, have)
	}
}

// Every method ClusterLoader2 registers and perflab does not run is known:
// a config calling each at start and gather loads, with one warning per
// method naming why.
func TestSkippedMethodsWarnOnce(t *testing.T) {
	skipped := registry.Names(measure.ClusterLoader2, measure.Skipped)
	var b strings.Builder
	b.WriteString("name: skip\nnamespace: {number: 1}\nsteps:\n")
	for _, action := range []string{"start", "gather"} {
		b.WriteString("- name: " + action + "\n  measurements:\n")
		for _, m := range skipped {
			fmt.Fprintf(&b, "  - {Identifier: %s, Method: %s, Params: {action: %s}}\n", m, m, action)
		}
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	warned := map[string]int{}
	for _, p := range Lint(LoadOptions{ConfigPath: path, Environ: []string{}}, true) {
		if !p.Warning {
			t.Errorf("problem, want only warnings: %v", p)
			continue
		}
		for _, m := range skipped {
			if strings.Contains(p.Msg, "measurement "+m+" is not run by perflab (") {
				warned[m]++
			}
		}
	}
	for _, m := range skipped {
		if warned[m] != 1 {
			t.Errorf("%s: %d warnings, want 1", m, warned[m])
		}
	}
	if len(skipped) < 40 {
		t.Errorf("%d skipped methods; ClusterLoader2 registers over 40 that perflab does not run", len(skipped))
	}
}
