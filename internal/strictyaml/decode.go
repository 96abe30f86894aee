package strictyaml

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Decoder decodes a parsed document into Go values itself, instead of
// yaml.v3's Decode, for inputs whose tool matches field names leniently
// (ClusterLoader2 decodes through JSON: keys match fields ignoring case,
// API types are named by their json tags, unknown fields are ignored). It
// reports every mistake of a file at once, each an Error with file, line,
// column and field path, and keeps going after each.
type Decoder struct {
	// FoldCase lets a key match a field ignoring case when no field
	// matches it exactly.
	FoldCase bool
	// JSONTags names a field that has no yaml tag by its json tag, as the
	// Kubernetes API types are tagged.
	JSONTags bool
	// Unknown words the problem of a key that names no field; nil says
	// "unknown field".
	Unknown UnknownFunc
	// UnknownWarns makes unknown keys warnings instead of errors (the tool
	// ignores them; perflab names them and goes on).
	UnknownWarns bool
}

// Decoded is the outcome of Decode: the line of every field path it
// visited, and the mistakes found.
type Decoded struct {
	*Positions
	Errors []Error
}

// Decode decodes root (parsed with Parse) into out, a pointer. Unknown
// keys, duplicate keys, and values of the wrong kind are Errors; a wrong
// value leaves its field at its zero value. A type whose pointer
// implements yaml.Unmarshaler decodes itself, and its error is reported at
// its node. Generic values (any) decode to JSON-like shapes: int64 or
// float64 numbers and maps with string keys.
func (d Decoder) Decode(file string, root *yaml.Node, out any) Decoded {
	s := &decodeState{Decoder: d, res: Decoded{Positions: &Positions{File: file, lines: map[string]int{}}}}
	s.decode(root, reflect.ValueOf(out).Elem(), "")
	return s.res
}

// FieldNames are the sorted names Decode knows for the fields of struct t.
func (d Decoder) FieldNames(t reflect.Type) []string {
	return sortedKeys(fields(t, d.JSONTags))
}

type decodeState struct {
	Decoder
	res Decoded
}

func (s *decodeState) add(n *yaml.Node, path, msg string, warn bool) {
	s.res.Errors = append(s.res.Errors, Error{File: s.res.File, Line: n.Line, Column: n.Column, Field: path, Msg: msg, Warning: warn})
}

func (s *decodeState) fail(n *yaml.Node, path, format string, args ...any) {
	s.add(n, path, fmt.Sprintf(format, args...), false)
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func (s *decodeState) decode(n *yaml.Node, v reflect.Value, path string) {
	switch n.Kind {
	case 0:
		return // an empty document
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			s.decode(n.Content[0], v, path)
		}
		return
	case yaml.AliasNode:
		s.decode(n.Alias, v, path)
		return
	}
	if _, ok := s.res.lines[path]; !ok {
		s.res.lines[path] = n.Line // keys record their own line first
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // leave the zero value
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			s.fail(n, path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		s.decode(n, v.Elem(), path)
	case reflect.Struct:
		s.decodeStruct(n, v, path)
	case reflect.Slice:
		s.decodeSlice(n, v, path)
	case reflect.Map:
		s.decodeMap(n, v, path)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			s.fail(n, path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(Normalize(x)))
	default:
		s.decodeScalar(n, v, path)
	}
}

func (s *decodeState) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	if n.Kind != yaml.MappingNode {
		s.fail(n, path, "want a mapping (%s), got a %s", t.Name(), KindName(n))
		return
	}
	fs := fields(t, s.JSONTags)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		name, f, ok := s.match(fs, key.Value)
		if !ok {
			s.unknown(key, t, path)
			continue
		}
		child := Join(path, name)
		if prev, dup := seen[name]; dup {
			s.fail(key, child, "duplicate field (first set on line %d)", prev)
			continue
		}
		seen[name] = key.Line
		s.res.lines[child] = key.Line
		fv, err := v.FieldByIndexErr(f.Index)
		if err != nil { // a nil embedded pointer: not in the types decoded
			s.fail(key, child, "%v", err)
			continue
		}
		s.decode(val, fv, child)
	}
}

// match finds the field key names: exactly, else (FoldCase) ignoring case.
func (s *decodeState) match(fs map[string]reflect.StructField, key string) (string, reflect.StructField, bool) {
	if f, ok := fs[key]; ok {
		return key, f, true
	}
	if s.FoldCase {
		for _, name := range sortedKeys(fs) {
			if strings.EqualFold(name, key) {
				return name, fs[name], true
			}
		}
	}
	return "", reflect.StructField{}, false
}

func (s *decodeState) unknown(key *yaml.Node, t reflect.Type, path string) {
	msg := "unknown field"
	if s.Unknown != nil {
		msg = s.Unknown(t, key.Value, path)
	}
	s.add(key, Join(path, key.Value), msg, s.UnknownWarns)
}

func (s *decodeState) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		s.fail(n, path, "want a list, got a %s", KindName(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		s.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(out)
}

func (s *decodeState) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		s.fail(n, path, "want a mapping, got a %s", KindName(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		s.fail(n, path, "unsupported map key type %s", v.Type().Key())
		return
	}
	m := reflect.MakeMap(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		child := Join(path, key.Value)
		if prev, dup := seen[key.Value]; dup {
			s.fail(key, child, "duplicate key (first set on line %d)", prev)
			continue
		}
		seen[key.Value] = key.Line
		s.res.lines[child] = key.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		s.decode(val, elem, child)
		m.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
}

func (s *decodeState) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		s.fail(n, path, "want a %s, got a %s", scalarName(v.Kind()), KindName(n))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if err != nil || n.Tag != "!!bool" {
			s.fail(n, path, "want true or false, got %q", n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || n.Tag == "!!str" || f != math.Trunc(f) || v.OverflowInt(int64(f)) {
			s.fail(n, path, "want an integer, got %q", n.Value)
			return
		}
		v.SetInt(int64(f))
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || n.Tag == "!!str" {
			s.fail(n, path, "want a number, got %q", n.Value)
			return
		}
		v.SetFloat(f)
	default:
		s.fail(n, path, "unsupported field type %s", v.Type())
	}
}

// KindName names the kind of n for messages: mapping, list, scalar "x".
func KindName(n *yaml.Node) string {
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

// Normalize turns yaml.v3 generic values into JSON-like shapes: int64 for
// integers, maps with string keys.
func Normalize(x any) any {
	switch t := x.(type) {
	case int:
		return int64(t)
	case map[string]any:
		for k, v := range t {
			t[k] = Normalize(v)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			m[fmt.Sprint(k)] = Normalize(v)
		}
		return m
	case []any:
		for i := range t {
			t[i] = Normalize(t[i])
		}
		return t
	}
	return x
}
