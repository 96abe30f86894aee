package strictyaml

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// UnknownFunc words the error for key, which type t (a struct) has no field
// for, at path.
type UnknownFunc func(t reflect.Type, key, path string) string

// UnknownFields walks n against the Go type t and reports every mapping
// key that names no field of its struct (by yaml tag, as yaml.v3 decodes):
// strict decoding with positions. Parse the node with Parse first: the
// walk follows aliases.
func UnknownFields(file string, n *yaml.Node, t reflect.Type, unknown UnknownFunc) []*Error {
	return unknownFields(file, n, t, "", unknown)
}

func unknownFields(file string, n *yaml.Node, t reflect.Type, path string, unknown UnknownFunc) []*Error {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return unknownFields(file, n.Content[0], t, path, unknown)
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs []*Error
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // a type error, reported by the decoder
		}
		fields := Fields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := fields[k.Value]
			if !ok {
				errs = append(errs, &Error{File: file, Line: k.Line, Column: k.Column, Field: Join(path, k.Value), Msg: unknown(t, k.Value, path)})
				continue
			}
			errs = append(errs, unknownFields(file, n.Content[i+1], f.Type, Join(path, k.Value), unknown)...)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, c := range n.Content {
			errs = append(errs, unknownFields(file, c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), unknown)...)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, unknownFields(file, n.Content[i+1], t.Elem(), Join(path, n.Content[i].Value), unknown)...)
		}
	}
	return errs
}

// Fields are the YAML keys of struct t, as yaml.v3 names them: the yaml
// tag, else the lowercased field name; inline structs contribute theirs
// (with their full Index); "-" and unexported fields none.
func Fields(t reflect.Type) map[string]reflect.StructField {
	return fields(t, false)
}

// fields is Fields; with jsonTags a field without a yaml tag is named by
// its json tag (and json's ",inline" inlines).
func fields(t reflect.Type, jsonTags bool) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, ok := f.Tag.Lookup("yaml")
		if !ok && jsonTags {
			tag = f.Tag.Get("json")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range fields(f.Type, jsonTags) {
				v.Index = append(slices.Clone(f.Index), v.Index...)
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

// FieldNames are the sorted YAML keys of struct t, for messages.
func FieldNames(t reflect.Type) []string {
	return sortedKeys(Fields(t))
}

func sortedKeys[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
