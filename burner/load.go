package burner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadOptions are the command-line inputs to loading a config.
type LoadOptions struct {
	UserDataFile string   // --user-data: YAML of template variables
	Set          []string // --set path=value, deep-merged after parsing
	AllowMissing bool     // --allow-missing: missing template keys render empty
	// Vars are extra template variables (override env and user data).
	Vars map[string]any
	// SkipTemplates does not read the object templates (destroy needs the
	// job names only).
	SkipTemplates bool
}

// Load reads, renders, strictly decodes, defaults and validates the config at
// path. Every error is a *ConfigError naming file, line and field.
func Load(path string, o LoadOptions) (*Spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{File: path, Msg: err.Error()}
	}
	vars := EnvVars()
	if o.UserDataFile != "" {
		ud, err := os.ReadFile(o.UserDataFile)
		if err != nil {
			return nil, &ConfigError{File: o.UserDataFile, Msg: err.Error()}
		}
		m := map[string]any{}
		if err := yaml.Unmarshal(ud, &m); err != nil {
			line, msg := splitYAMLLine(err.Error())
			return nil, errorf(o.UserDataFile, line, "", "invalid YAML: %s", msg)
		}
		for k, v := range m {
			vars[k] = v
		}
	}
	for k, v := range o.Vars {
		vars[k] = v
	}
	spec, err := Parse(path, raw, vars, o)
	if err != nil {
		return nil, err
	}
	if o.SkipTemplates {
		return spec, nil
	}
	if err := spec.validateTemplates(o.AllowMissing); err != nil {
		return nil, err
	}
	return spec, nil
}

// Parse renders raw (the contents of file) with vars and decodes it. It does
// not read object templates (Load does).
func Parse(file string, raw []byte, vars map[string]any, o LoadOptions) (*Spec, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errorf(file, 0, "", "configuration file is empty")
	}
	rendered, err := renderText(file, raw, vars, o.AllowMissing)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(rendered, &root); err != nil {
		line, msg := splitYAMLLine(err.Error())
		return nil, errorf(file, line, "", "invalid YAML: %s", msg)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, errorf(file, 0, "", "configuration file is empty")
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, errorf(file, root.Content[0].Line, "", "want a mapping with global and jobs")
	}
	for _, s := range o.Set {
		if err := applySet(root.Content[0], s); err != nil {
			return nil, errorf(file, 0, "", "--set %s: %v", s, err)
		}
	}
	if errs := checkKnown(file, &root, reflect.TypeFor[Spec](), ""); len(errs) > 0 {
		return nil, errs[0]
	}
	ix := indexNodes(&root)
	spec := defaultSpec()
	if err := root.Decode(&spec); err != nil {
		return nil, decodeError(file, ix, err)
	}
	spec.File = file
	spec.Dir = filepath.Dir(file)
	if err := spec.validate(ix); err != nil {
		return nil, err
	}
	return &spec, nil
}

// decodeError converts a yaml.v3 decode error to the first ConfigError.
func decodeError(file string, ix *nodeIndex, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		line, msg := splitYAMLLine(te.Errors[0])
		msg = strings.Replace(msg, "!!str", "string", 1)
		msg = strings.Replace(msg, "!!int", "integer", 1)
		msg = strings.Replace(msg, "!!map", "mapping", 1)
		msg = strings.Replace(msg, "!!seq", "list", 1)
		msg = strings.Replace(msg, "!!bool", "boolean", 1)
		return errorf(file, line, ix.byLine[line], "wrong type: %s", msg)
	}
	line, msg := splitYAMLLine(err.Error())
	if strings.Contains(msg, "time: ") {
		return errorf(file, line, ix.byLine[line], "wrong type: %s (want a duration such as 30s)", msg)
	}
	return errorf(file, line, ix.byLine[line], "%s", msg)
}

// applySet sets path (dot-separated, numbers index lists) to value (parsed as
// YAML) in the mapping n, deep-merging mappings.
func applySet(n *yaml.Node, set string) error {
	path, value, ok := strings.Cut(set, "=")
	if !ok || path == "" {
		return fmt.Errorf("want path=value")
	}
	var v yaml.Node
	if err := yaml.Unmarshal([]byte(value), &v); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	if len(v.Content) > 0 {
		val = v.Content[0]
	}
	keys := strings.Split(path, ".")
	cur := n
	for i, k := range keys {
		last := i == len(keys)-1
		switch cur.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for j := 0; j+1 < len(cur.Content); j += 2 {
				if cur.Content[j].Value == k {
					next = cur.Content[j+1]
					if last {
						cur.Content[j+1] = merge(next, val)
					}
					break
				}
			}
			if next == nil {
				child := val
				if !last {
					child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				}
				cur.Content = append(cur.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, child)
				next = child
			}
			cur = next
		case yaml.SequenceNode:
			var idx int
			if _, err := fmt.Sscanf(k, "%d", &idx); err != nil || idx < 0 || idx >= len(cur.Content) {
				return fmt.Errorf("%s: no list element %q (list has %d)", strings.Join(keys[:i], "."), k, len(cur.Content))
			}
			if last {
				cur.Content[idx] = merge(cur.Content[idx], val)
			}
			cur = cur.Content[idx]
		default:
			return fmt.Errorf("%s is not a mapping or list", strings.Join(keys[:i], "."))
		}
	}
	return nil
}

// merge returns src deep-merged over dst (mappings merge, the rest replaces).
func merge(dst, src *yaml.Node) *yaml.Node {
	if dst == nil || dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return src
	}
	for i := 0; i+1 < len(src.Content); i += 2 {
		k := src.Content[i].Value
		found := false
		for j := 0; j+1 < len(dst.Content); j += 2 {
			if dst.Content[j].Value == k {
				dst.Content[j+1] = merge(dst.Content[j+1], src.Content[i+1])
				found = true
				break
			}
		}
		if !found {
			dst.Content = append(dst.Content, src.Content[i], src.Content[i+1])
		}
	}
	return dst
}
