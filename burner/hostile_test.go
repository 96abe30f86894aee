package burner

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// billionLaughs is a kube-burner config of under 700 bytes whose inputVars
// expand, through nested aliases, to 10^9 nodes.
const billionLaughs = `jobs:
- name: laughs
  objects:
  - objectTemplate: ok.yaml
    replicas: 1
    inputVars:
      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
      g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
      h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
      i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// TestHostileAliasesRefused: the config is refused with a clear error
// within a second and a few MB (before the fix the strict-field walk
// followed the aliases past 3 GB).
func TestHostileAliasesRefused(t *testing.T) {
	if len(billionLaughs) > 700 {
		t.Fatalf("config is %d bytes", len(billionLaughs))
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte(billionLaughs), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	done := make(chan error, 1)
	go func() { _, err := Load(p, LoadOptions{}); done <- err }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Load still running after 10s")
	}
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "c.yaml:") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want the config refused with its file and line", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 16<<20 {
		t.Errorf("allocated %d MB refusing a %d-byte config", grown>>20, len(billionLaughs))
	}
}

// TestSetErrorsNameTheFlag: a bad --set names the flag and its key, not a
// line of the config.
func TestSetErrorsNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	p := filepath.Join(dir, "c.yaml")
	write(t, p, "global:\n  gc: true\njobs:\n- name: a\n  qps: 2\n  objects: [{objectTemplate: cm.yaml}]\n")
	for _, tc := range []struct{ set, want string }{
		{"jobs.0.qps=abc", "--set jobs.0.qps=abc: jobs[0].qps: wrong type"},
		{"jobs.0.qpz=5", "--set jobs.0.qpz=5: jobs[0].qpz: unknown field"},
		{"jobs.0.qps=-5", "--set jobs.0.qps=-5: jobs[0].qps: must not be negative"},
		{"jobs.3.qps=5", "--set jobs.3.qps=5: jobs: no list element"},
		{"jobs.0.qps", "--set jobs.0.qps: want path=value"},
	} {
		_, err := Load(p, LoadOptions{Set: []string{"global.gc=false", tc.set}})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("--set %s: err = %v, want prefix %q", tc.set, err, tc.want)
		}
	}
}

// TestInvalidYAMLAtTheParsersLine: the YAML library names the line where
// the enclosing block began (line 1 here); the error names line 4.
func TestInvalidYAMLAtTheParsersLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	write(t, p, "jobs:\n  - name: a\n    qps: 1\n  jobIterations: 2\n")
	_, err := Load(p, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "c.yaml:4: invalid YAML") {
		t.Fatalf("err = %v, want c.yaml:4: invalid YAML", err)
	}
}
