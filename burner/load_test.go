package burner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadExamples(t *testing.T) {
	for _, f := range []string{
		"s1-config.yaml", "s1-config-delete.yaml", "s2-config.yaml", "s3-config.yaml",
		"api-intensive/api-intensive-100.yml", "churn-v2/churn-config.yaml",
	} {
		s, err := Load(filepath.Join("..", "examples", "kube-burner", f), LoadOptions{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(s.Jobs) == 0 {
			t.Errorf("%s: no jobs", f)
		}
	}
}

func TestDefaults(t *testing.T) {
	s, err := Parse("c.yaml", []byte("jobs:\n- name: a\n  objects: [{objectTemplate: x.yaml}]\n"), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	j := s.Jobs[0]
	if j.JobType != CreateJob || !j.Cleanup || !j.NamespacedIterations || j.IterationsPerNamespace != 1 || !j.WaitWhenFinished ||
		!j.VerifyObjects || !j.ErrorOnVerify || !j.WaitForDeletion || !j.PreLoadImages || j.PreLoadPeriod != time.Minute || !j.Objects[0].Wait || j.Objects[0].Replicas != 1 {
		t.Errorf("job defaults: %+v", j)
	}
	if s.Global.Timeout != 4*time.Hour || s.Global.RequestTimeout != time.Minute || s.Global.GC {
		t.Errorf("global defaults: %+v", s.Global)
	}
	if j.Namespace != "a" {
		t.Errorf("namespace default: %q", j.Namespace)
	}
}

func TestSetDeepMerge(t *testing.T) {
	cfg := "global:\n  gc: false\njobs:\n- name: a\n  qps: 1\n  objects: [{objectTemplate: x.yaml, inputVars: {a: 1}}]\n"
	s, err := Parse("c.yaml", []byte(cfg), nil, LoadOptions{Set: []string{"jobs.0.qps=50", "global.gc=true", "jobs.0.objects.0.inputVars={b: 2}", "jobs.0.burst=7"}})
	if err != nil {
		t.Fatal(err)
	}
	j := s.Jobs[0]
	if j.QPS != 50 || j.Burst != 7 || !s.Global.GC || j.Objects[0].InputVars["a"] != 1 || j.Objects[0].InputVars["b"] != 2 {
		t.Errorf("after --set: %+v %+v", j, s.Global)
	}
	if _, err := Parse("c.yaml", []byte(cfg), nil, LoadOptions{Set: []string{"jobs.3.qps=1"}}); err == nil {
		t.Error("out of range index must fail")
	}
}

func TestRenderConfigWithEnvAndUserData(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "t.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c-{{.Iteration}}}\n")
	write(t, filepath.Join(dir, "c.yaml"), "jobs:\n- name: {{.NAME}}\n  jobIterations: {{ env \"ITER\" | default 3 }}\n  qps: {{ .Q }}\n  objects: [{objectTemplate: t.yaml}]\n")
	write(t, filepath.Join(dir, "u.yaml"), "Q: 9\n")
	t.Setenv("NAME", "from-env")
	s, err := Load(filepath.Join(dir, "c.yaml"), LoadOptions{UserDataFile: filepath.Join(dir, "u.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Jobs[0].Name != "from-env" || s.Jobs[0].JobIterations != 3 || s.Jobs[0].QPS != 9 {
		t.Errorf("rendered: %+v", s.Jobs[0])
	}
}

// TestConfigErrors: every kind of bad input gives one line naming the file,
// the line and the field.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	write(t, filepath.Join(dir, "bad.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Nope }}\n")
	write(t, filepath.Join(dir, "broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Iteration }\n")
	for _, tc := range []struct{ name, cfg, want string }{
		{"invalid yaml", "jobs:\n- name: a\n  qps: 1\n   bad: indent\n", "c.yaml:4: invalid YAML"},
		{"unknown key", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n  qsp: 3\n", "c.yaml:4: jobs[0].qsp: unknown field"},
		{"unknown nested key", "jobs:\n- name: a\n  objects:\n  - objectTemplate: ok.yaml\n    replica: 3\n", "c.yaml:5: jobs[0].objects[0].replica: unknown field"},
		{"unknown global key", "global:\n  gcc: true\njobs: []\n", "c.yaml:2: global.gcc: unknown field"},
		{"wrong type", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n  jobIterations: many\n", "c.yaml:4: jobs[0].jobIterations: wrong type"},
		{"wrong duration", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n  jobPause: soon\n", "c.yaml:4: jobs[0].jobPause: wrong type"},
		{"negative qps", "jobs:\n- name: a\n  qps: -5\n  objects: [{objectTemplate: ok.yaml}]\n", "c.yaml:3: jobs[0].qps: must not be negative"},
		{"unknown jobType", "jobs:\n- name: a\n  jobType: explode\n  objects: [{objectTemplate: ok.yaml}]\n", "c.yaml:3: jobs[0].jobType: unknown jobType"},
		{"unknown patchType", "jobs:\n- name: a\n  jobType: patch\n  objects:\n  - kind: Deployment\n    objectTemplate: ok.yaml\n    labelSelector: {a: b}\n    patchType: sideways\n", "c.yaml:8: jobs[0].objects[0].patchType: unknown patchType"},
		{"missing template", "jobs:\n- name: a\n  objects:\n  - objectTemplate: nothere.yaml\n", "c.yaml:4: jobs[0].objects[0].objectTemplate:"},
		{"template missing key", "jobs:\n- name: a\n  objects:\n  - objectTemplate: bad.yaml\n", "bad.yaml:4: template:"},
		{"template syntax", "jobs:\n- name: a\n  objects:\n  - objectTemplate: broken.yaml\n", "broken.yaml:3: template:"},
		{"config template error", "jobs:\n- name: {{ .UNSET_VAR_X }}\n", "c.yaml:2: template:"},
		{"empty", "\n", "c.yaml: configuration file is empty"},
		{"bad threshold", "global:\n  measurements:\n  - name: podLatency\n    thresholds: [{conditionType: Readyish, metric: P99, threshold: 2s}]\njobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n", "c.yaml:4: global.measurements[0].thresholds[0].conditionType"},
		{"hook stage", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n  hooks:\n  - cmd: [true]\n    when: atLunch\n", "c.yaml:6: jobs[0].hooks[0].when: unknown stage \"atLunch\""},
		{"hook without cmd", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n  hooks:\n  - when: afterGC\n", "c.yaml:5: jobs[0].hooks[0].cmd: required"},
		{"watcher without kind", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n  watchers:\n  - replicas: 2\n", "c.yaml:5: jobs[0].watchers[0].kind: required"},
		{"incremental pattern", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n  incrementalLoad:\n    pattern: {type: cubic}\n", "c.yaml:5: jobs[0].incrementalLoad.pattern.type: unknown pattern"},
		{"incremental on delete", "jobs:\n- name: a\n  jobType: delete\n  objects: [{kind: Pod, labelSelector: {a: b}}]\n  incrementalLoad: {totalIterations: 3}\n", "c.yaml:5: jobs[0].incrementalLoad: only create jobs"},
		{"mixed repeat", "jobs:\n- name: a\n  objects:\n  - objectTemplate: ok.yaml\n    repeatEveryNIterations: 2\n  - objectTemplate: ok.yaml\n    repeatEveryNIterations: 3\n", "c.yaml:7: jobs[0].objects[1].repeatEveryNIterations: 3 differs from 2"},
		{"grouped execution", "jobs:\n- name: a\n  objects:\n  - objectTemplate: ok.yaml\n    group: {id: 1}\n", "c.yaml:5: jobs[0].objects[0].group: grouped execution is not supported"},
		{"kubevirt job", "jobs:\n- name: a\n  jobType: kubevirt\n  objects: [{objectTemplate: ok.yaml}]\n", "c.yaml:3: jobs[0].jobType: jobType kubevirt"},
		{"duplicate job", "jobs:\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n- name: a\n  objects: [{objectTemplate: ok.yaml}]\n", "c.yaml:4: jobs[1].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "c.yaml")
			if err := os.WriteFile(p, []byte(tc.cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, LoadOptions{})
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			msg := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
			if !strings.HasPrefix(msg, tc.want) {
				t.Errorf("got  %q\nwant prefix %q", msg, tc.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

func TestLocalMetricsDirectory(t *testing.T) {
	cfg := "metricsEndpoints:\n- indexer: {type: local, metricsDirectory: results-{{ .UUID }}}\njobs:\n- name: a\n  objects: [{objectTemplate: x.yaml}]\n"
	s, err := Parse("c.yaml", []byte(cfg), map[string]any{"UUID": "u1"}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := s.LocalMetricsDirectory(); d != "results-u1" {
		t.Errorf("metricsDirectory %q, want results-u1 (the local indexer's, rendered with the run's UUID)", d)
	}
	s, _ = Parse("c.yaml", []byte("jobs:\n- name: a\n  objects: [{objectTemplate: x.yaml}]\n"), nil, LoadOptions{})
	if d := s.LocalMetricsDirectory(); d != "" {
		t.Errorf("no indexer: %q", d)
	}
}

func TestJobGCAndMetricsClosing(t *testing.T) {
	for _, tc := range []struct{ cfg, want string }{
		{"global: {waitWhenFinished: true}\njobs:\n- name: a\n  gc: true\n  objects: [{objectTemplate: x.yaml}]\n", "gc and global waitWhenFinished"},
		{"jobs:\n- name: a\n  metricsClosing: later\n  objects: [{objectTemplate: x.yaml}]\n", "metricsClosing"},
	} {
		if _, err := Parse("c.yaml", []byte(tc.cfg), nil, LoadOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error about %s, got %v", tc.want, err)
		}
	}
}
