package metrics

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"text/template"

	yaml "go.yaml.in/yaml/v3"

	"github.com/perflab/perflab/internal/strictyaml"
)

//go:embed profiles/*.yml
var builtinProfiles embed.FS

// Source says where a profile entry was defined, for error messages.
type Source struct {
	File  string // path, or "builtin:<name>"
	Line  int
	Index int // 1-based position in the profile list
}

func (s Source) String() string {
	if s.Line == 0 {
		return fmt.Sprintf("%s (entry %d)", s.File, s.Index)
	}
	return fmt.Sprintf("%s:%d (entry %d)", s.File, s.Line, s.Index)
}

// Metric is one entry of a kube-burner metric profile.
type Metric struct {
	Query        string `yaml:"query"`
	MetricName   string `yaml:"metricName"`
	Instant      bool   `yaml:"instant"`
	CaptureStart bool   `yaml:"captureStart"`
	Source       Source `yaml:"-"`
}

// MetricProfile is a list of PromQL queries to collect for each job window.
type MetricProfile struct {
	Name    string
	Metrics []Metric
}

// BuiltinProfiles lists the names usable instead of a file (-m seed).
func BuiltinProfiles() []string {
	entries, _ := builtinProfiles.ReadDir("profiles")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yml"); ok && !strings.HasPrefix(n, "alerts-") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// readProfile returns the bytes of a built-in profile name or a file.
func readProfile(name string) (string, []byte, error) {
	if !strings.ContainsAny(name, "/.") {
		if b, err := builtinProfiles.ReadFile(path.Join("profiles", name+".yml")); err == nil {
			return "builtin:" + name, b, nil
		}
	}
	b, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !strings.ContainsAny(name, "/.") {
			return "", nil, fmt.Errorf("profile %q: no such file and no built-in profile of that name (built-in: %s)", name, strings.Join(BuiltinProfiles(), ", "))
		}
		return "", nil, fmt.Errorf("profile: %w", err)
	}
	return name, b, nil
}

// LoadMetricProfile reads a metric profile from a file or a built-in name.
// Unknown fields, missing query or metricName and bad templates are errors
// naming file:line.
func LoadMetricProfile(name string) (*MetricProfile, error) {
	file, data, err := readProfile(name)
	if err != nil {
		return nil, err
	}
	return ParseMetricProfile(file, data)
}

// ParseMetricProfile parses profile YAML; file names the source in errors.
func ParseMetricProfile(file string, data []byte) (*MetricProfile, error) {
	p := &MetricProfile{Name: file}
	err := decodeList(file, data, func(node *yaml.Node, src Source) error {
		var m Metric
		if err := decodeStrict(node, &m); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		m.Source = src
		switch {
		case strings.TrimSpace(m.Query) == "":
			return fmt.Errorf("%s: field query: missing", src)
		case m.MetricName == "":
			return fmt.Errorf("%s: field metricName: missing", src)
		case strings.ContainsAny(m.MetricName, `/\`) || m.MetricName == "." || m.MetricName == "..":
			return fmt.Errorf("%s: field metricName %q: must be usable as a file name", src, m.MetricName)
		case m.CaptureStart && !m.Instant:
			return fmt.Errorf("%s: field captureStart: only valid with instant: true", src)
		}
		if _, err := renderQuery(m.Query, "1s"); err != nil {
			return fmt.Errorf("%s: field query: %w", src, err)
		}
		p.Metrics = append(p.Metrics, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// decodeList walks a YAML sequence, calling fn with each item and its source.
func decodeList(file string, data []byte, fn func(*yaml.Node, Source) error) error {
	doc, err := strictyaml.Parse(file, data)
	if err != nil {
		return err
	}
	if len(doc.Content) == 0 {
		return fmt.Errorf("%s: empty profile", file)
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s:%d: want a list of entries", file, list.Line)
	}
	if len(list.Content) == 0 {
		return fmt.Errorf("%s: empty profile", file)
	}
	for i, item := range list.Content {
		if err := fn(item, Source{File: file, Line: item.Line, Index: i + 1}); err != nil {
			return err
		}
	}
	return nil
}

// decodeStrict decodes one mapping node into v (a pointer to a struct),
// rejecting keys that its yaml tags do not name, at any depth (as
// kube-burner's KnownFields does).
func decodeStrict(node *yaml.Node, v any) error {
	if node.Kind != yaml.MappingNode {
		return errors.New("want a mapping of fields")
	}
	if errs := strictyaml.UnknownFields("", node, reflect.TypeOf(v).Elem(), unknownField); len(errs) > 0 {
		e := errs[0]
		msg := fmt.Sprintf("line %d: %s", e.Line, e.Msg)
		if i := strings.LastIndexAny(e.Field, ".["); i > 0 {
			msg = fmt.Sprintf("field %s: %s", e.Field[:i], msg)
		}
		return errors.New(msg)
	}
	if err := node.Decode(v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "))
	}
	return nil
}

func unknownField(t reflect.Type, key, _ string) string {
	return fmt.Sprintf("unknown field %q (known: %s)", key, strings.Join(strictyaml.FieldNames(t), ", "))
}

// renderQuery fills the {{.elapsed}} template variable (and environment
// variables, as kube-burner does) into a query.
func renderQuery(query, elapsed string) (string, error) {
	t, err := template.New("query").Option("missingkey=zero").Parse(query)
	if err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	vars["elapsed"] = elapsed
	var sb strings.Builder
	if err := t.Execute(&sb, vars); err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	return sb.String(), nil
}
