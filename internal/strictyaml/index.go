package strictyaml

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Index maps field paths (jobs[0].objects[1].kind) to their YAML nodes, so
// errors found after decoding still name a line.
type Index struct {
	byPath map[string]*yaml.Node // the value node of each path
	byLine map[int]string        // the first path whose key or value is on a line
}

// NewIndex indexes root (parsed with Parse: the walk follows aliases).
func NewIndex(root *yaml.Node) *Index {
	ix := &Index{byPath: map[string]*yaml.Node{}, byLine: map[int]string{}}
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
				walk(n.Content[i+1], Join(path, n.Content[i].Value), n.Content[i].Line)
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

// Line returns the line of path, or of its closest present parent.
func (ix *Index) Line(path string) int {
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

// Node returns the value node of path, nil when absent.
func (ix *Index) Node(path string) *yaml.Node { return ix.byPath[path] }

// PathAt returns the first field path on line, "" when none.
func (ix *Index) PathAt(line int) string { return ix.byLine[line] }

// DecodeError converts the error of decoding the indexed file (yaml.v3's
// TypeError, or a field's own unmarshaller) into an Error at its line.
func (ix *Index) DecodeError(file string, err error) *Error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		line, msg := SplitLine(te.Errors[0])
		r := strings.NewReplacer("!!str", "string", "!!int", "integer", "!!map", "mapping", "!!seq", "list", "!!bool", "boolean")
		msg = r.Replace(msg)
		return Errorf(file, line, ix.PathAt(line), "wrong type: %s", msg)
	}
	line, msg := SplitLine(err.Error())
	if strings.Contains(msg, "time: ") {
		return Errorf(file, line, ix.PathAt(line), "wrong type: %s (want a duration such as 30s)", msg)
	}
	return Errorf(file, line, ix.PathAt(line), "%s", msg)
}

// Positions are the lines of the field paths a Decoder visited: a field's
// or map key's own line, a list item's line.
type Positions struct {
	File  string
	lines map[string]int
}

// Line returns the line of path, or of its nearest visited ancestor.
func (p *Positions) Line(path string) int {
	for path != "" {
		if l, ok := p.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return p.lines[""]
}

// Errorf builds an Error at the line of path.
func (p *Positions) Errorf(path, format string, a ...any) Error {
	return Error{File: p.File, Line: p.Line(path), Field: path, Msg: fmt.Sprintf(format, a...)}
}
