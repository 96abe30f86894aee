package cl2

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
)

// sample is the first replica of a bundle object, rendered at validation
// time so that later checks can look at what the test will create.
type sample struct {
	obj      *unstructured.Unstructured
	file     string
	rendered []byte
}

// objectMapping is the template mapping of one object replica, as in CL2:
// the test variables, then templateFillMap, then Name, Index, Namespace, BaseName.
func (t *Test) objectMapping(o *Object, namespace string, index int) map[string]any {
	m := maps.Clone(t.Mapping)
	maps.Copy(m, o.TemplateFillMap)
	m["BaseName"] = o.Basename
	m["Index"] = index
	m["Name"] = fmt.Sprintf("%s-%d", o.Basename, index)
	m["Namespace"] = namespace
	return m
}

// sampleNamespace is the first namespace a phase touches.
func (t *Test) sampleNamespace(ph *Phase) string {
	switch {
	case ph.NamespaceList != nil && len(ph.NamespaceList) > 0:
		return ph.NamespaceList[0]
	case ph.NamespaceRange != nil:
		base := t.Config.Namespace.Prefix
		if ph.NamespaceRange.Basename != nil {
			base = *ph.NamespaceRange.Basename
		}
		return fmt.Sprintf("%s-%d", base, ph.NamespaceRange.Min)
	}
	return ""
}

// checkTemplate renders replica 0 of o as the phase would. Phases that only
// delete (replicasPerNamespace 0) need just the kind, read with the
// template actions removed, as CL2 does.
func (t *Test) checkTemplate(ph *Phase, o *Object, pos *positions, path string) Problems {
	if ph.ReplicasPerNamespace == 0 {
		if _, err := t.rawObjects(o.ObjectTemplatePath); err != nil {
			return asProblems(err, pos.Errorf(path+".objectTemplatePath", "%v", err))
		}
		return nil
	}
	mapping := t.objectMapping(o, t.sampleNamespace(ph), 0)
	out, err := t.render.render(o.ObjectTemplatePath, mapping)
	if err != nil {
		return asProblems(err, pos.Errorf(path+".objectTemplatePath", "%v", err))
	}
	file := t.render.display(t.render.path(o.ObjectTemplatePath))
	objs, err := parseObjects(file, out)
	if err != nil {
		return asProblems(err, pos.Errorf(path+".objectTemplatePath", "%v", err))
	}
	gvks := map[string]bool{}
	var ps Problems
	for _, obj := range objs {
		gvk := obj.GroupVersionKind().String()
		if gvks[gvk] {
			ps = append(ps, Problem{File: file, Msg: fmt.Sprintf("two objects of kind %s in one template; CL2 names both %s", obj.GetKind(), mapping["Name"])})
		}
		gvks[gvk] = true
		t.samples = append(t.samples, sample{obj: obj, file: file, rendered: out})
	}
	return ps
}

func asProblems(err error, fallback Problem) Problems {
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	return Problems{fallback}
}

// actionStrip removes template actions the way CL2 does: greedily, from a
// line's first "{{" to its last "}}", so "svc: {{.A}}-{{.B}}" becomes
// "svc: " rather than the YAML sequence entry "svc: -".
var actionStrip = regexp.MustCompile(`\{\{.*\}\}`)

// rawObjects parses a template with its actions removed (for deletes).
func (t *Test) rawObjects(name string) ([]*unstructured.Unstructured, error) {
	p, err := t.render.load(name)
	if err != nil {
		return nil, err
	}
	stripped := actionStrip.ReplaceAllString(strings.Join(p.srcLines, "\n"), "")
	return parseObjects(p.displayed, []byte(stripped))
}

// podLabels returns the labels pods made from obj will carry: a Pod's own
// labels or a controller's pod template labels.
func podLabels(obj *unstructured.Unstructured) (map[string]string, bool) {
	switch obj.GetKind() {
	case "Pod":
		return obj.GetLabels(), true
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController":
		l, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "template", "metadata", "labels")
		return l, true
	case "CronJob":
		l, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "jobTemplate", "spec", "template", "metadata", "labels")
		return l, true
	}
	return nil, false
}

// podSelectorMethods are measurements whose labelSelector selects pods.
var podSelectorMethods = map[string]bool{"PodStartupLatency": true, "SchedulingThroughput": true, "WaitForRunningPods": true}

// lintSelectors warns about pod selectors that match no pod the test creates.
func (t *Test) lintSelectors() Problems {
	var pods []map[string]string
	for _, s := range t.samples {
		if l, ok := podLabels(s.obj); ok {
			pods = append(pods, l)
		}
	}
	if len(pods) == 0 {
		return nil
	}
	var ps Problems
	for _, s := range t.Steps {
		for i, m := range s.Measurements {
			if m == nil || !podSelectorMethods[m.Method] {
				continue
			}
			raw, ok := m.Params["labelSelector"].(string)
			if !ok {
				continue
			}
			sel, err := labels.Parse(raw)
			if err != nil {
				continue
			}
			matched := false
			for _, l := range pods {
				if sel.Matches(labels.Set(l)) {
					matched = true
					break
				}
			}
			if !matched {
				p := s.at.pos.Errorf(fmt.Sprintf("%s.measurements[%d].params.labelSelector", s.at.path, i),
					"%s labelSelector %q matches no pod this test creates (pods carry labels like %v); "+
						"a label on a controller's own metadata does not reach its pods", m.Method, raw, labels.Set(pods[0]))
				p.Warning = true
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// SimulatedNodeProblems names objects that cannot work on simulated (kwok)
// nodes, where containers never execute: Jobs and CronJobs whose containers
// run a command. Such a Job "completes" without doing anything, so the
// load it was meant to generate never happens.
func (t *Test) SimulatedNodeProblems() Problems {
	var ps Problems
	for _, s := range t.samples {
		var containers []any
		var base []string
		switch s.obj.GetKind() {
		case "Job":
			base = []string{"spec", "template", "spec", "containers"}
		case "CronJob":
			base = []string{"spec", "jobTemplate", "spec", "template", "spec", "containers"}
		default:
			continue
		}
		containers, _, _ = unstructured.NestedSlice(s.obj.Object, base...)
		for i, c := range containers {
			cm, _ := c.(map[string]any)
			if cm["command"] == nil && cm["args"] == nil {
				continue
			}
			path := append(append([]string(nil), base...), strconv.Itoa(i), "image")
			ps = append(ps, Problem{File: s.file, Line: nodeLine(s.rendered, s.obj, path),
				Field: strings.Join(path, "."),
				Msg: fmt.Sprintf("%s %s runs image %v with a command, but containers never run on simulated nodes: "+
					"the Job completes without running it, so its load never happens (and its default service account "+
					"could not list objects anyway); let the test make the API calls itself, e.g. with a ListLoad step",
					s.obj.GetKind(), s.obj.GetName(), cm["image"])})
		}
	}
	return ps
}

// nodeLine finds the line of a field path in the rendered document of obj.
func nodeLine(rendered []byte, obj *unstructured.Unstructured, path []string) int {
	dec := yaml.NewDecoder(strings.NewReader(string(rendered)))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return 0
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if kind := lookup(root, "kind"); kind == nil || kind.Value != obj.GetKind() {
			continue
		}
		n := root
		for _, p := range path {
			if n == nil {
				return root.Line
			}
			if i, err := strconv.Atoi(p); err == nil && n.Kind == yaml.SequenceNode {
				if i >= len(n.Content) {
					return n.Line
				}
				n = n.Content[i]
				continue
			}
			n = lookup(n, p)
		}
		if n != nil {
			return n.Line
		}
		return root.Line
	}
}

func lookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
