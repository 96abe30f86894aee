package cl2

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

func renderString(t *testing.T, src string, m map[string]any) (string, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "inc.txt"), []byte("included"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, err := template.New("x").Funcs(templateFuncs(dir, newLockedRand(1))).Parse(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = tm.Execute(&b, m)
	return b.String(), err
}

func TestTemplateFuncs(t *testing.T) {
	m := map[string]any{"N": int64(7), "F": 2.5, "S": "a,b,c", "Yes": true, "Str": "10"}
	tests := []struct{ src, want string }{
		{`{{DefaultParam .Missing 3}}`, "3"},
		{`{{DefaultParam .N 3}}`, "7"},
		{`{{AddInt .N 1 2}}`, "10"},
		{`{{SubtractInt .N 2}}`, "5"},
		{`{{MultiplyInt .N .F}}`, "17"},
		{`{{DivideInt .N 2}}`, "3"},
		{`{{DivideFloat .N 2}}`, "3.5"},
		{`{{AddFloat .F .F}}`, "5"},
		{`{{MaxInt 1 .N 3}}`, "7"},
		{`{{MinFloat .F 9}}`, "2.5"},
		{`{{Ceil .F}}`, "3"},
		{`{{Mod .N 4}}`, "3"},
		{`{{AddInt .Str 1}}`, "11"},
		{`{{IfThenElse .Yes "y" "n"}}`, "y"},
		{`{{range Loop 3}}{{.}}{{end}}`, "012"},
		{`{{range SliceOfZeros 3}}{{.}}{{end}}`, "000"},
		{`{{range Seq 2}}{{.}}{{end}}`, "00"},
		{`{{range StringSplit .S}}[{{.}}]{{end}}`, "[a][b][c]"},
		{`{{Lowercase "ABC"}}`, "abc"},
		{`{{Concat "a" "b" "c"}}`, "abc"},
		{`{{len (RandData 12)}}`, "12"},
		{`{{RandDataWithSeed 8 "seed"}}`, "6zaKnYlq"},
		{`{{IncludeFile "inc.txt"}}`, "included"},
		{`{{IncludeEmbedFile "inc.txt"}}`, "included"},
		{`{{YamlQuote "a: b" 1}}`, "'a: b'\n  "},
	}
	for _, tt := range tests {
		got, err := renderString(t, tt.src, m)
		if err != nil || got != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
	for _, src := range []string{`{{RandInt 5}}`, `{{RandIntRange 3 6}}`} {
		for i := 0; i < 50; i++ {
			got, err := renderString(t, src, m)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := "0", "5"
			if strings.Contains(src, "Range") {
				lo, hi = "3", "6"
			}
			if got < lo || got > hi || len(got) != 1 {
				t.Fatalf("%s = %s outside [%s, %s]", src, got, lo, hi)
			}
		}
	}
	for _, src := range []string{`{{AddInt .Missing 1}}`, `{{DivideInt 1 0}}`, `{{IfThenElse 1 2 3}}`, `{{Mod 1 0}}`} {
		if _, err := renderString(t, src, m); err == nil {
			t.Errorf("%s: want an error", src)
		}
	}
}

func TestMapping(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	writeFile(t, a, "CL2_PODS: 10\nCL2_NAME: x\n")
	writeFile(t, b, "CL2_PODS: 20\n")
	m, err := Mapping([]string{a, b}, []string{"CL2_QPS=2.5", "CL2_ON=true", "CL2_PODS=20", "HOME=/root"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if m["CL2_PODS"] != int64(20) || m["CL2_NAME"] != "x" || m["CL2_QPS"] != 2.5 || m["CL2_ON"] != true || m["Nodes"] != 3 {
		t.Errorf("mapping %v", m)
	}
	if _, ok := m["HOME"]; ok {
		t.Error("only CL2_* variables are read")
	}
	if m["ImageRegistry"] != DefaultImageRegistry {
		t.Errorf("ImageRegistry = %v, want CL2's default %s", m["ImageRegistry"], DefaultImageRegistry)
	}
	if m, _ := Mapping(nil, []string{"REGISTRY_K8S_REPO=mirror.example.org/k8s"}, 1); m["ImageRegistry"] != "mirror.example.org/k8s" {
		t.Errorf("ImageRegistry = %v, want $REGISTRY_K8S_REPO", m["ImageRegistry"])
	}
	if _, err := Mapping([]string{a}, []string{"CL2_PODS=11"}, 0); err == nil || !strings.Contains(err.Error(), "conflicts") {
		t.Errorf("env disagreeing with an override: got %v, want a conflict error", err)
	}
}

func TestDecodeProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, s)
		return p
	}
	write("obj.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{.Name}}\n")
	cfg := write("c.yaml", `name: t
namespace:
  number: two
tuningSets:
- name: q
  qpsLoad: {qps: 1}
  steppedLoad: {burstSize: 1, stepDelay: 1s}
- name: q
  timeLimitedLoad: {timeLimit: soon}
steps:
- name: s
  phases:
  - namespaceRange: {min: 0, max: 1}
    replicasPerNamespace: 1
    tuningSet: nope
    objectBundle:
    - basename: Bad_Name
      objectTemplatePath: missing.yaml
  measurements:
  - Identifier: x
    Method: Sleep
    Params: {duration: 1s}
- name: m
  measurements:
  - Identifier: t
    Method: Timer
    Params: {action: gather}
  - Identifier: p
    Method: PodStartupLatency
    Params: {action: start, threshold: fast, labelSelector: "a in (b"}
  - Method: Nope
    Params: {}
`)
	_, err := Load(LoadOptions{ConfigPath: cfg, Environ: []string{}})
	if err == nil {
		t.Fatal("want problems")
	}
	for _, want := range []string{
		"c.yaml:3: namespace.number: want an integer, got \"two\"",
		"c.yaml:5: tuningSets[0]: must set exactly one of",
		"c.yaml:8: tuningSets[1].name: tuning set \"q\" declared twice",
		"c.yaml:9: tuningSets[1].timeLimitedLoad.timeLimit: want a duration",
		"c.yaml:13: steps[0].phases[0].namespaceRange: automanaged namespaces are",
		"c.yaml:15: steps[0].phases[0].tuningSet: tuning set \"nope\" is not declared",
		"c.yaml:17: steps[0].phases[0].objectBundle[0].basename: \"Bad_Name\"",
		"c.yaml:18: steps[0].phases[0].objectBundle[0].objectTemplatePath: template",
		"c.yaml:19: steps[0].measurements: a step holds either phases or measurements, not both",
		"c.yaml:30: steps[1].measurements[1].params.threshold: want a duration",
		"c.yaml:30: steps[1].measurements[1].params.labelSelector: bad label selector",
		"c.yaml:31: steps[1].measurements[2].method: unknown measurement method \"Nope\" (known: APIResponsivenessPrometheus, APIResponsivenessPrometheusSimple, JobLifecycleLatency, ListLoad, PodStartupLatency",
		"c.yaml:31: steps[1].measurements[2].identifier: identifier is required",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// TestParseObjectsNonObject: an object template that renders to something
// other than an object names the file and what it rendered.
func TestParseObjectsNonObject(t *testing.T) {
	tests := []struct{ text, want string }{
		{"just text\n", `pod.yaml: the template rendered a string, not an object (want apiVersion, kind, metadata...): "just text"`},
		{"- a\n- b\n", `pod.yaml: the template rendered a list, not an object`},
		{"apiVersion: v1\nkind: Pod\n---\n7\n", `the template rendered a number, not an object`},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			_, err := parseObjects("pod.yaml", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	objs, err := parseObjects("pod.yaml", []byte("---\napiVersion: v1\nkind: Pod\n---\n"))
	if err != nil || len(objs) != 1 {
		t.Errorf("empty documents must be skipped: %v %v", objs, err)
	}
}
