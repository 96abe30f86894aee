package burner

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResolve: relative paths are kube-burner's (the working directory)
// first, then the config's directory; URLs are fetched.
func TestResolve(t *testing.T) {
	wd, cfgDir := t.TempDir(), t.TempDir()
	t.Chdir(wd)
	write(t, filepath.Join(wd, "both.yaml"), "kind: ConfigMap\napiVersion: v1\nmetadata: {name: from-wd}\n")
	write(t, filepath.Join(cfgDir, "both.yaml"), "kind: ConfigMap\napiVersion: v1\nmetadata: {name: from-config-dir}\n")
	write(t, filepath.Join(cfgDir, "only.yaml"), "kind: ConfigMap\napiVersion: v1\nmetadata: {name: only-config-dir}\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/t.yaml" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("kind: ConfigMap\napiVersion: v1\nmetadata: {name: from-url}\n"))
	}))
	defer srv.Close()
	s := &Spec{Dir: cfgDir}
	for _, tc := range []struct{ file, want string }{
		{"both.yaml", "from-wd"},
		{"only.yaml", "only-config-dir"},
		{filepath.Join(cfgDir, "both.yaml"), "from-config-dir"},
		{srv.URL + "/t.yaml", "from-url"},
	} {
		tmpl, err := s.LoadTemplate(tc.file, nil, false)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		docs, err := tmpl.Render(TemplateVars{})
		if err != nil || len(docs) != 1 || docs[0].GetName() != tc.want {
			t.Errorf("%s: got %v %v, want %s", tc.file, docs, err, tc.want)
		}
	}
	if _, err := s.LoadTemplate(srv.URL+"/missing.yaml", nil, false); err == nil {
		t.Error("a URL answering 404 must fail")
	}
}

// TestFunctionTemplates: the templates global.functionTemplates defines are
// callable from object templates.
func TestFunctionTemplates(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "funcs.tmpl"), "{{ define \"labels\" }}    app: demo-{{ .Iteration }}\n    tier: {{ .tier }}{{ end }}\n")
	write(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{{ .Iteration }}\n  labels:\n{{ template \"labels\" . }}\n")
	write(t, filepath.Join(dir, "cfg.yaml"), "global:\n  functionTemplates: [funcs.tmpl]\njobs:\n- name: f\n  objects:\n  - objectTemplate: cm.yaml\n    inputVars: {tier: web}\n")
	s, err := Load(filepath.Join(dir, "cfg.yaml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := s.LoadTemplate("cm.yaml", s.Jobs[0].Objects[0].InputVars, false)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := tmpl.Render(TemplateVars{Iteration: 3})
	if err != nil {
		t.Fatal(err)
	}
	if l := docs[0].GetLabels(); l["app"] != "demo-3" || l["tier"] != "web" {
		t.Errorf("labels from the function template: %v", l)
	}
}
