package burner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addExampleSeeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "kube-burner", glob))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzParse: the config loader never panics, and every failure is one
// ConfigError line naming the file.
func FuzzParse(f *testing.F) {
	addExampleSeeds(f, "*.y*ml")
	addExampleSeeds(f, "*/*.y*ml")
	f.Add([]byte("jobs:\n- name: a\n  qps: -1\n  objects: [{objectTemplate: x}]\n"))
	f.Add([]byte("global: {gc: true}\njobs: [{name: a, jobType: patch, objects: [{kind: X, objectTemplate: y, patchType: merge, labelSelector: {a: b}}]}]\n"))
	f.Add([]byte("jobs:\n- &a {name: x}\n- *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("fuzz.yaml", data, map[string]any{"X": "1"}, LoadOptions{Set: []string{"global.gc=true"}})
		if err == nil {
			return
		}
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("not a ConfigError: %T %v", err, err)
		}
		// A fault in the file names the file; one that only the --set
		// override meets names the flag and its key.
		if !strings.HasPrefix(err.Error(), "fuzz.yaml") && !strings.HasPrefix(err.Error(), "--set global.gc=true") {
			t.Fatalf("error names neither the file nor the --set flag: %q", err)
		}
	})
}

// FuzzRender: object templates never panic on any text; errors are
// ConfigErrors naming the template.
func FuzzRender(f *testing.F) {
	addExampleSeeds(f, "*/*.yaml")
	addExampleSeeds(f, "*/templates/*")
	f.Add([]byte("a: {{ .Iteration | add 1 }}\n---\nb: {{ .Replica }}\n"))
	f.Add([]byte("{{ range until .Replica }}- {{ . }}\n{{ end }}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := ParseObjectTemplate("t.yaml", data, map[string]any{"image": "x"}, false)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != "t.yaml" {
				t.Fatalf("parse error: %T %v", err, err)
			}
			return
		}
		if strings.Contains(string(data), "until") || strings.Contains(string(data), "repeat") {
			return // sprig can allocate without bound on fuzzed counts
		}
		if _, err := tmpl.Render(TemplateVars{Iteration: 3, Replica: 2, JobName: "j", UUID: "u", RunID: "r"}); err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("render error: %T %v", err, err)
			}
		}
	})
}
