package burner

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/perflab/perflab/internal/strictyaml"
)

// setLines numbers the nodes each --set adds past the end of the config,
// one line per flag, so an error found in them later (unknown field, wrong
// type, failed validation) names the flag and its key instead of a line of
// the file.
type setLines struct {
	file string
	base int // the line of sets[0]; 0 when there are none
	sets []string
}

// applySets applies every --set to the config root parsed from file.
func applySets(file string, root *yaml.Node, sets []string) (setLines, error) {
	if len(sets) == 0 {
		return setLines{}, nil
	}
	sl := setLines{file: file, base: lineCount(root) + 1, sets: sets}
	for i, s := range sets {
		if err := applySet(root.Content[0], s, sl.base+i); err != nil {
			return sl, &ConfigError{File: "--set " + s, Msg: err.Error()}
		}
	}
	return sl, nil
}

// blame rewrites an error located on a --set's line to name the flag.
func (sl setLines) blame(err error) error {
	var e *ConfigError
	if sl.base == 0 || !errors.As(err, &e) || e.File != sl.file || e.Line < sl.base || e.Line >= sl.base+len(sl.sets) {
		return err
	}
	return &ConfigError{File: "--set " + sl.sets[e.Line-sl.base], Field: e.Field, Msg: e.Msg}
}

// lineCount is the last line any node of the tree is on.
func lineCount(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lineCount(c))
	}
	return last
}

// setLine puts every node of a --set value on line.
func setLine(n *yaml.Node, line int) {
	n.Line, n.Column = line, 0
	for _, c := range n.Content {
		setLine(c, line)
	}
}

// applySet sets path (dot-separated, numbers index lists) to value (parsed as
// YAML) in the mapping n, deep-merging mappings.
func applySet(n *yaml.Node, set string, line int) error {
	path, value, ok := strings.Cut(set, "=")
	if !ok || path == "" {
		return fmt.Errorf("want path=value")
	}
	v, err := strictyaml.Parse("value", []byte(value))
	if err != nil {
		return err
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	if len(v.Content) > 0 {
		val = v.Content[0]
	}
	setLine(val, line)
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
					child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
				}
				cur.Content = append(cur.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Line: line}, child)
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
