package burner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/perflab/perflab/internal/strictyaml"
	"github.com/perflab/perflab/internal/tmplbound"
)

// ObjectTemplate is a parsed object template (Go text/template with sprig),
// rendered per iteration and replica. Safe for concurrent use.
type ObjectTemplate struct {
	Path         string
	tmpl         *template.Template
	inputVars    map[string]any
	allowMissing bool
	bufs         sync.Pool
}

// TemplateVars are the variables kube-burner gives templates.
type TemplateVars struct {
	Iteration, Replica int
	JobName, UUID      string
	RunID              string
}

// LoadObjectTemplate reads and parses the template at path.
func LoadObjectTemplate(path string, inputVars map[string]any, allowMissing bool) (*ObjectTemplate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseObjectTemplate(path, b, inputVars, allowMissing)
}

// ParseObjectTemplate parses text as the template named path.
func ParseObjectTemplate(path string, text []byte, inputVars map[string]any, allowMissing bool) (*ObjectTemplate, error) {
	t, err := parseTemplate(filepath.Base(path), text, allowMissing)
	if err != nil {
		return nil, templateError(path, err)
	}
	return &ObjectTemplate{Path: path, tmpl: t, inputVars: inputVars, allowMissing: allowMissing, bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}, nil
}

func (t *ObjectTemplate) data(v TemplateVars) map[string]any {
	d := make(map[string]any, len(t.inputVars)+5)
	for k, x := range t.inputVars {
		d[k] = x
	}
	d["Iteration"] = v.Iteration
	d["Replica"] = v.Replica
	d["JobName"] = v.JobName
	d["UUID"] = v.UUID
	d["RunID"] = v.RunID
	return d
}

// RenderBytes renders the template text.
func (t *ObjectTemplate) RenderBytes(v TemplateVars) ([]byte, error) {
	b := t.bufs.Get().(*bytes.Buffer)
	defer t.bufs.Put(b)
	b.Reset()
	if err := tmplbound.Execute(t.tmpl, b, t.data(v), renderLimits); err != nil {
		return nil, templateError(t.Path, err)
	}
	return bytes.Clone(t.blankMissing(b.Bytes())), nil
}

// Render renders the template and decodes every YAML document in it.
func (t *ObjectTemplate) Render(v TemplateVars) ([]*unstructured.Unstructured, error) {
	b := t.bufs.Get().(*bytes.Buffer)
	defer t.bufs.Put(b)
	b.Reset()
	if err := tmplbound.Execute(t.tmpl, b, t.data(v), renderLimits); err != nil {
		return nil, templateError(t.Path, err)
	}
	return decodeDocuments(t.Path, t.blankMissing(b.Bytes()))
}

// decodeDocuments splits multi-document YAML and decodes each non-empty one.
func decodeDocuments(path string, y []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(y)))
	var out []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, &ConfigError{File: path, Msg: fmt.Sprintf("rendered YAML: %v", err)}
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, renderedYAMLError(path, doc, err)
		}
		if string(j) == "null" {
			continue
		}
		if j = bytes.TrimSpace(j); len(j) == 0 || j[0] != '{' {
			return nil, &ConfigError{File: path, Msg: fmt.Sprintf("the template rendered %s, not an object (want apiVersion, kind, metadata...): %s", jsonKind(j), excerpt(doc))}
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			return nil, &ConfigError{File: path, Msg: fmt.Sprintf("rendered object: %v", err)}
		}
		out = append(out, u)
	}
}

// jsonKind names the kind of a JSON value by its first byte.
func jsonKind(j []byte) string {
	if len(j) == 0 {
		return "nothing"
	}
	switch j[0] {
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// excerpt quotes the start of rendered text for an error message.
func excerpt(b []byte) string {
	const max = 80
	s := string(bytes.TrimSpace(b))
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("%q", s)
}

var noValue = []byte("<no value>")

// blankMissing renders missing keys as empty with --allow-missing (Go
// templates print "<no value>" for a missing map key).
func (t *ObjectTemplate) blankMissing(b []byte) []byte {
	if !t.allowMissing || !bytes.Contains(b, noValue) {
		return b
	}
	return bytes.ReplaceAll(b, noValue, nil)
}

// renderedYAMLError names the line of a rendered document that does not
// parse, as the one YAML reader finds it.
func renderedYAMLError(path string, doc []byte, err error) error {
	var e *ConfigError
	if errors.As(strictyaml.Check(path, doc), &e) {
		return errorf(path, e.Line, "", "rendered YAML: %s", strings.TrimPrefix(e.Msg, "invalid YAML: "))
	}
	line, msg := strictyaml.SplitLine(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	return errorf(path, line, "", "rendered YAML: %s", msg)
}
