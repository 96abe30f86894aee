package cl2

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/perflab/perflab/internal/strictyaml"
)

// fieldHints explain unknown fields that are common mistakes, keyed by
// "<type>.<lowercased key>".
var fieldHints = map[string]string{
	"Config.measurements":          "measurements are not a top-level field; put them in a step: steps: [{name: ..., measurements: [...]}]",
	"QPSLoad.burst":                "qpsLoad has only qps; use globalQPSLoad {qps, burst} for a token bucket with a burst",
	"RandomizedLoad.minqps":        "randomizedLoad has only averageQps (gaps are uniform in [0, 2/averageQps))",
	"RandomizedLoad.maxqps":        "randomizedLoad has only averageQps (gaps are uniform in [0, 2/averageQps))",
	"RandomizedLoad.burstduration": "randomizedLoad has only averageQps; use steppedLoad {burstSize, stepDelay} for bursts",
	"Phase.measurements":           "a step holds either phases or measurements; put the measurements in their own step",
}

// decoder turns a yaml.Node tree into Go values strictly: unknown fields,
// wrong types and duplicate keys become Problems with file and line. Field
// names match their yaml (or json) tag exactly or, as in CL2, ignoring case.
type decoder struct {
	pos      *positions
	problems Problems
}

// msgEmptyFile is the problem of a file that renders to nothing: an error for
// a test config, but a module whose content sits in a false {{if}} simply
// adds no steps, as in CL2.
const msgEmptyFile = "file is empty"

func newDecoder(file string) *decoder {
	return &decoder{pos: &positions{file: file, lines: map[string]int{}}}
}

// decodeDocument decodes the first YAML document of data into out.
func (d *decoder) decodeDocument(data []byte, out any) {
	root, err := strictyaml.Parse(d.pos.file, data)
	if err != nil {
		d.problems = append(d.problems, inputProblem(d.pos.file, err))
		return
	}
	if root.Kind == 0 {
		d.problems = append(d.problems, Problem{File: d.pos.file, Msg: msgEmptyFile})
		return
	}
	d.decode(root, reflect.ValueOf(out).Elem(), "")
}

// inputProblem is the Problem of a file strictyaml refused.
func inputProblem(file string, err error) Problem {
	var e *strictyaml.Error
	if errors.As(err, &e) {
		return *e
	}
	return Problem{File: file, Msg: err.Error()}
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.pos.file, Line: n.Line, Field: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) warn(n *yaml.Node, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.pos.file, Line: n.Line, Field: path, Msg: fmt.Sprintf(format, args...), Warning: true})
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			d.decode(n.Content[0], v, path)
		}
		return
	case yaml.AliasNode:
		d.decode(n.Alias, v, path)
		return
	}
	if _, ok := d.pos.lines[path]; !ok {
		d.pos.lines[path] = n.Line // keys record their own line first
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // leave the zero value
	}
	if v.Type() == reflect.TypeFor[Duration]() {
		d.decodeDuration(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.fail(n, path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(normalize(x)))
	default:
		d.decodeScalar(n, v, path)
	}
}

func (d *decoder) decodeDuration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want a duration such as 30s, got a %s", kindName(n))
		return
	}
	dur, err := parseDuration(n.Value)
	if err != nil {
		d.fail(n, path, "%v", err)
		return
	}
	v.SetInt(int64(dur))
}

type structField struct {
	name  string
	index int
}

func structFields(t reflect.Type) []structField {
	var out []structField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		for _, tag := range []string{f.Tag.Get("yaml"), f.Tag.Get("json")} {
			if n, _, _ := strings.Cut(tag, ","); n != "" && n != "-" {
				name = n
				break
			}
		}
		out = append(out, structField{name: name, index: i})
	}
	return out
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping (%s), got a %s", t.Name(), kindName(n))
		return
	}
	fields := structFields(t)
	seen := map[int]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		f, ok := matchField(fields, key.Value)
		if !ok {
			d.unknownField(key, t, fields, path)
			continue
		}
		child := joinPath(path, f.name)
		if prev, dup := seen[f.index]; dup {
			d.fail(key, child, "duplicate field (first set on line %d)", prev)
			continue
		}
		seen[f.index] = key.Line
		d.pos.lines[child] = key.Line
		d.decode(val, v.Field(f.index), child)
	}
}

func matchField(fields []structField, key string) (structField, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return structField{}, false
}

// unknownField is a warning: CL2 decodes configs leniently and ignores
// fields it does not know, so perflab names them and goes on.
func (d *decoder) unknownField(key *yaml.Node, t reflect.Type, fields []structField, path string) {
	if hint, ok := fieldHints[t.Name()+"."+strings.ToLower(key.Value)]; ok {
		d.warn(key, joinPath(path, key.Value), "unknown field, ignored as CL2 ignores it: %s", hint)
		return
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	sort.Strings(names)
	where := t.Name()
	if path != "" {
		where = path
	}
	d.warn(key, joinPath(path, key.Value), "unknown field %q in %s, ignored as CL2 ignores it (known fields: %s)", key.Value, where, strings.Join(names, ", "))
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list, got a %s", kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got a %s", kindName(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.fail(n, path, "unsupported map key type %s", v.Type().Key())
		return
	}
	m := reflect.MakeMap(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		child := joinPath(path, key.Value)
		if prev, dup := seen[key.Value]; dup {
			d.fail(key, child, "duplicate key (first set on line %d)", prev)
			continue
		}
		seen[key.Value] = key.Line
		d.pos.lines[child] = key.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, elem, child)
		m.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want a %s, got a %s", scalarName(v.Kind()), kindName(n))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if err != nil || n.Tag != "!!bool" {
			d.fail(n, path, "want true or false, got %q", n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || n.Tag == "!!str" || f != math.Trunc(f) || v.OverflowInt(int64(f)) {
			d.fail(n, path, "want an integer, got %q", n.Value)
			return
		}
		v.SetInt(int64(f))
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || n.Tag == "!!str" {
			d.fail(n, path, "want a number, got %q", n.Value)
			return
		}
		v.SetFloat(f)
	default:
		d.fail(n, path, "unsupported field type %s", v.Type())
	}
}

func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return fmt.Sprintf("scalar %q", n.Value)
	}
	return "node"
}

func scalarName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return "integer"
}

// normalize turns yaml.v3 generic values into the JSON-like shapes that
// template functions and measurement params expect (int64/float64, string keys).
func normalize(x any) any {
	switch t := x.(type) {
	case int:
		return int64(t)
	case map[string]any:
		for k, v := range t {
			t[k] = normalize(v)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			m[fmt.Sprint(k)] = normalize(v)
		}
		return m
	case []any:
		for i := range t {
			t[i] = normalize(t[i])
		}
		return t
	}
	return x
}
