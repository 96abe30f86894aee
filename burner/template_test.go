package burner

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/perflab/perflab/kube"
)

func TestRenderMultiDocument(t *testing.T) {
	tmpl, err := ParseObjectTemplate("t.yaml", []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-{{ .Iteration }}-{{ .Replica }}
data:
  job: {{ .JobName }}
  run: {{ .RunID }}
  size: "{{ .size }}"
---
---
apiVersion: v1
kind: Secret
metadata:
  name: s-{{ .Replica }}
stringData:
  uuid: {{ .UUID | upper }}
`), map[string]any{"size": 3}, false)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := tmpl.Render(TemplateVars{Iteration: 4, Replica: 2, JobName: "j", UUID: "u", RunID: "r"})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].GetName() != "cm-4-2" || docs[1].GetKind() != "Secret" || docs[1].GetName() != "s-2" {
		t.Fatalf("docs: %v", docs)
	}
	data, _, _ := unstructured.NestedStringMap(docs[0].Object, "data")
	if data["job"] != "j" || data["run"] != "r" || data["size"] != "3" {
		t.Errorf("data: %v", data)
	}
	if s, _, _ := unstructured.NestedString(docs[1].Object, "stringData", "uuid"); s != "U" {
		t.Errorf("sprig upper: %q", s)
	}
	if _, err := tmpl.Render(TemplateVars{}); err != nil {
		t.Errorf("zero vars: %v", err)
	}
	missing, err := ParseObjectTemplate("m.yaml", []byte("a: x{{ .missing }}\n"), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := missing.RenderBytes(TemplateVars{}); err != nil || string(b) != "a: x\n" {
		t.Errorf("--allow-missing must render missing keys empty: %q %v", b, err)
	}
	strict, _ := ParseObjectTemplate("m.yaml", []byte("a: x{{ .missing }}\n"), nil, false)
	if _, err := strict.RenderBytes(TemplateVars{}); err == nil {
		t.Error("a missing key must fail without --allow-missing")
	}
}

func TestSetTemplateLabels(t *testing.T) {
	objLabels := kube.ObjectLabels("u", "r", "j", 0, 5, 1)
	objLabels[kube.LegacyLabelJob] = "delete-me" // from the template's metadata.labels
	for _, tc := range []struct {
		kind  string
		paths [][]string
	}{
		{"Deployment", [][]string{{"spec", "template", "metadata", "labels"}}},
		{"DaemonSet", [][]string{{"spec", "template", "metadata", "labels"}}},
		{"ReplicaSet", [][]string{{"spec", "template", "metadata", "labels"}}},
		{"StatefulSet", [][]string{{"spec", "template", "metadata", "labels"}, {"spec", "selector", "matchLabels"}}},
		{"CronJob", [][]string{{"spec", "jobTemplate", "spec", "template", "metadata", "labels"}}},
	} {
		u := &unstructured.Unstructured{Object: map[string]any{"kind": tc.kind}}
		for _, p := range tc.paths {
			_ = unstructured.SetNestedStringMap(u.Object, map[string]string{"app": "x", kube.LegacyLabelJob: "pod-own"}, p...)
		}
		setTemplateLabels(u, objLabels)
		for _, p := range tc.paths {
			l, _, _ := unstructured.NestedStringMap(u.Object, p...)
			if l["app"] != "x" || l[kube.LabelRunID] != "r" || l[kube.LabelJobIteration] != "5" || l[kube.LabelReplica] != "1" {
				t.Errorf("%s %v: %v", tc.kind, p, l)
			}
			if l[kube.LegacyLabelJob] != "delete-me" {
				t.Errorf("%s %v: the object's labels must win over the pod template's, as in kube-burner: %v", tc.kind, p, l)
			}
		}
	}
	cm := &unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap"}}
	setTemplateLabels(cm, map[string]string{"a": "b"})
	if _, ok := cm.Object["spec"]; ok {
		t.Error("kinds without a pod template are left alone")
	}
}

func TestPatchBody(t *testing.T) {
	raw := []byte("kind: Deployment\napiVersion: apps/v1\nmetadata:\n  labels:\n    a: b\n")
	body, apply, err := patchBody("p.yaml", types.StrategicMergePatchType, raw)
	if err != nil || apply != nil || string(body) != `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"a":"b"}}}` {
		t.Fatalf("strategic: %s %v %v", body, apply, err)
	}
	jp := []byte(`[{"op":"add","path":"/metadata/labels/x","value":"y"}]`)
	if body, _, _ := patchBody("p.json", types.JSONPatchType, jp); string(body) != string(jp) {
		t.Errorf("json patch changed: %s", body)
	}
	_, apply, err = patchBody("p.yaml", types.ApplyYAMLPatchType, []byte("spec:\n  replicas: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(applyFor(apply, kube.Ref{Namespace: "ns", Name: "d1"}, "apps/v1", "Deployment"), &got); err != nil {
		t.Fatal(err)
	}
	md := got["metadata"].(map[string]any)
	if got["kind"] != "Deployment" || got["apiVersion"] != "apps/v1" || md["name"] != "d1" || md["namespace"] != "ns" {
		t.Errorf("apply body: %v", got)
	}
	if _, ok := apply["metadata"]; ok {
		t.Error("applyFor must not modify the shared patch")
	}
}

// TestRenderNonObject: a template that renders to something other than an
// object is an error naming the template and what it rendered.
func TestRenderNonObject(t *testing.T) {
	tests := []struct{ text, want string }{
		{"{{ .JobName }}", `tpl/odd.yaml: the template rendered a string, not an object (want apiVersion, kind, metadata...): "job-a"`},
		{"- a\n- b\n", `tpl/odd.yaml: the template rendered a list, not an object`},
		{"42\n", `the template rendered a number, not an object`},
		{"apiVersion: v1\nkind: ConfigMap\n---\ntrue\n", `the template rendered a boolean, not an object`},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			tmpl, err := ParseObjectTemplate("tpl/odd.yaml", []byte(tc.text), nil, false)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.Render(TemplateVars{JobName: "job-a"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestRenderHugeLoop: sprig's until with 200 million items is refused
// naming the template, instead of allocating 1.6 GB.
func TestRenderHugeLoop(t *testing.T) {
	tmpl, err := ParseObjectTemplate("tpl/loop.yaml", []byte("apiVersion: v1\nkind: ConfigMap\ndata:\n{{- range $i := until 200000000 }}\n  k{{ $i }}: v\n{{- end }}\n"), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render(TemplateVars{})
	if err == nil || !strings.HasPrefix(err.Error(), "tpl/loop.yaml:4: template: ") || !strings.Contains(err.Error(), "error calling until: until 200000000: more than 1000000 items") {
		t.Fatalf("err = %v", err)
	}
}
