package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Limits bound what one input file may be. The YAML library's own alias
// check applies only when decoding into Go values; a walk over the node
// tree (field checks, line index) follows aliases first, so a few hundred
// bytes of nested anchors could expand to gigabytes. Parse refuses such a
// file before anything walks it.
type Limits struct {
	// MaxBytes is the largest document.
	MaxBytes int
	// MaxNodes is the most nodes a document may have once every alias is
	// expanded.
	MaxNodes int
	// MaxDepth is the deepest nesting of mappings and lists, aliases
	// expanded.
	MaxDepth int
}

// DefaultLimits are far above any real config, template or profile.
var DefaultLimits = Limits{MaxBytes: 16 << 20, MaxNodes: 200_000, MaxDepth: 200}

// Parse reads the first YAML document of data (the contents of file) with
// DefaultLimits. The result is a DocumentNode, or a zero node for an empty
// document. Every error is an *Error.
func Parse(file string, data []byte) (*yaml.Node, error) {
	return DefaultLimits.Parse(file, data)
}

// Check parses every document of data (a rendered multi-document template)
// with DefaultLimits, and returns the first problem.
func Check(file string, data []byte) error {
	return DefaultLimits.Check(file, data)
}

// Parse is Parse with these limits.
func (l Limits) Parse(file string, data []byte) (*yaml.Node, error) {
	if err := l.checkSize(file, data); err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, syntaxError(file, data, err)
	}
	if err := l.checkNodes(file, &root); err != nil {
		return nil, err
	}
	return &root, nil
}

// Check is Check with these limits.
func (l Limits) Check(file string, data []byte) error {
	if err := l.checkSize(file, data); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return syntaxError(file, data, err)
		}
		if err := l.checkNodes(file, &doc); err != nil {
			return err
		}
	}
}

func (l Limits) checkSize(file string, data []byte) error {
	if len(data) > l.MaxBytes {
		return Errorf(file, 0, "", "%d bytes: larger than the %d a YAML input may have", len(data), l.MaxBytes)
	}
	return nil
}

// checkNodes counts the nodes and depth of root with aliases expanded,
// without expanding them: each node's totals are computed once.
func (l Limits) checkNodes(file string, root *yaml.Node) error {
	type size struct{ nodes, depth int }
	memo := map[*yaml.Node]size{}
	var visit func(n *yaml.Node, level int) (size, error)
	visit = func(n *yaml.Node, level int) (size, error) {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return size{1, 1}, nil
			}
			s, err := visit(n.Alias, level)
			if err != nil {
				return s, err
			}
			if s.nodes > l.MaxNodes {
				return s, &Error{File: file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("alias *%s expands to more than %d YAML nodes: refused (nested anchors and aliases)", n.Value, l.MaxNodes)}
			}
			return s, nil
		}
		if s, ok := memo[n]; ok {
			if level+s.depth-1 > l.MaxDepth {
				return s, &Error{File: file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("nested deeper than %d levels (through aliases): refused", l.MaxDepth)}
			}
			return s, nil
		}
		if level > l.MaxDepth {
			return size{}, &Error{File: file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("nested deeper than %d levels: refused", l.MaxDepth)}
		}
		s := size{nodes: 1, depth: 1}
		for _, c := range n.Content {
			cs, err := visit(c, level+1)
			if err != nil {
				return s, err
			}
			s.nodes += cs.nodes
			s.depth = max(s.depth, cs.depth+1)
			if s.nodes > l.MaxNodes {
				return s, &Error{File: file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("expands to more than %d YAML nodes: refused (nested anchors and aliases, or a file far larger than a config)", l.MaxNodes)}
			}
			if level+s.depth > l.MaxDepth+1 {
				return s, &Error{File: file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("nested deeper than %d levels (through aliases): refused", l.MaxDepth)}
			}
		}
		memo[n] = s
		return s, nil
	}
	_, err := visit(root, 0)
	return err
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// SplitLine pulls "line N: msg" out of a YAML library message.
func SplitLine(msg string) (int, string) {
	m := lineRE.FindStringSubmatch(strings.TrimSpace(msg))
	if m == nil {
		return 0, strings.TrimPrefix(msg, "yaml: ")
	}
	n, _ := strconv.Atoi(m[1])
	return n, m[2]
}

// syntaxError reports a parse error at the line where the parser met the
// fault. The library names the line where the enclosing block began (line
// 1 for a bad key on line 4 of a top-level mapping); the first line whose
// prefix of the file no longer parses is the one at fault.
func syntaxError(file string, data []byte, err error) *Error {
	line, msg := SplitLine(err.Error())
	if line > 0 {
		line = faultLine(data, line)
	}
	return &Error{File: file, Line: line, Msg: "invalid YAML: " + msg}
}

// faultLine finds, by bisection over line prefixes, the first line from
// which the document stops parsing; reported is the library's line, used
// when the bisection finds nothing better.
func faultLine(data []byte, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	parses := func(k int) bool {
		dec := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:k], nil)))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				return errors.Is(err, io.EOF)
			}
		}
	}
	lo, hi := 0, len(lines) // lines[:lo] parses, lines[:hi] does not
	if parses(hi) {
		return reported
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if parses(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if hi < reported {
		return reported
	}
	return hi
}
