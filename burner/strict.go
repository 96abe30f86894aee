package burner

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nodeIndex maps field paths (jobs[0].objects[1].kind) to their YAML nodes,
// so errors found after decoding still name a line.
type nodeIndex struct {
	byPath map[string]*yaml.Node // the value node of each path
	byLine map[int]string        // the first path whose key or value is on a line
}

func indexNodes(root *yaml.Node) *nodeIndex {
	ix := &nodeIndex{byPath: map[string]*yaml.Node{}, byLine: map[int]string{}}
	var walk func(n *yaml.Node, path string, keyLine int)
	walk = func(n *yaml.Node, path string, keyLine int) {
		if n == nil {
			return
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			walk(n.Content[0], path, 0)
			return
		}
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		ix.byPath[path] = n
		if path != "" {
			if _, ok := ix.byLine[keyLine]; !ok && keyLine > 0 {
				ix.byLine[keyLine] = path
			}
			if _, ok := ix.byLine[n.Line]; !ok {
				ix.byLine[n.Line] = path
			}
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], join(path, n.Content[i].Value), n.Content[i].Line)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]", c.Line)
			}
		}
	}
	walk(root, "", 0)
	return ix
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// line returns the line of path, or of its closest present parent.
func (ix *nodeIndex) line(path string) int {
	for p := path; ; {
		if n, ok := ix.byPath[p]; ok && n.Line > 0 {
			return n.Line
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return 0
		}
		p = p[:i]
	}
}

// checkKnown walks n against Go type t and reports every mapping key that has
// no field (by yaml tag) — kube-burner's strict decoding, with positions.
func checkKnown(file string, n *yaml.Node, t reflect.Type, path string) []*ConfigError {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return checkKnown(file, n.Content[0], t, path)
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs []*ConfigError
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // a type error, reported by the decoder
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := fields[k.Value]
			if !ok {
				errs = append(errs, errorf(file, k.Line, join(path, k.Value), "unknown field (not in kube-burner's %s schema)", schemaName(t)))
				continue
			}
			errs = append(errs, checkKnown(file, n.Content[i+1], f.Type, join(path, k.Value))...)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, c := range n.Content {
			errs = append(errs, checkKnown(file, c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, checkKnown(file, n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))...)
		}
	}
	return errs
}

func schemaName(t reflect.Type) string {
	switch t.Name() {
	case "Spec":
		return "top-level"
	case "Global":
		return "global"
	case "Job":
		return "job"
	case "Object":
		return "object"
	}
	return t.Name()
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}
