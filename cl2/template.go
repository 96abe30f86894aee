package cl2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/perflab/perflab/internal/tmplbound"
)

// noValue is what text/template prints for a key missing from the mapping.
const noValue = "<no value>"

// renderer renders CL2 templates (the config, modules and object templates)
// with CL2's function set, caching parsed templates by path.
type renderer struct {
	dir   string
	funcs template.FuncMap
	// display shortens absolute paths for messages; identity by default.
	display func(string) string

	mu    sync.Mutex
	cache map[string]*parsed
}

type parsed struct {
	tmpl      *template.Template
	srcLines  []string
	displayed string
}

func newRenderer(dir string, rnd *lockedRand) *renderer {
	return &renderer{dir: dir, funcs: templateFuncs(dir, rnd), cache: map[string]*parsed{},
		display: func(s string) string { return s }}
}

// path resolves a path named in the config relative to the config's directory.
func (r *renderer) path(name string) string {
	if !filepath.IsAbs(name) {
		return filepath.Join(r.dir, name)
	}
	// CL2 reads every path inside the config's directory, so configs write
	// "/modules/x.yaml" for <config dir>/modules/x.yaml.
	if in := filepath.Join(r.dir, name); fileExists(in) || !fileExists(name) {
		return in
	}
	return name
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func (r *renderer) load(name string) (*parsed, error) {
	full := r.path(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.cache[full]; ok {
		return p, nil
	}
	src, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	t, err := template.New(full).Funcs(r.funcs).Parse(string(src))
	if err != nil {
		return nil, templateProblems(r.display(full), err)
	}
	p := &parsed{tmpl: t, srcLines: strings.Split(string(src), "\n"), displayed: r.display(full)}
	r.cache[full] = p
	return p, nil
}

// renderLimits bound every rendering of a config, module or object
// template (an object's limit in etcd is 1.5 MB).
var renderLimits = tmplbound.Limits{MaxBytes: 64 << 20, Timeout: 30 * time.Second}

// render executes the template in file name with mapping. Missing values
// (rendered as "<no value>") are Problems at their line.
func (r *renderer) render(name string, mapping map[string]any) ([]byte, error) {
	p, err := r.load(name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmplbound.Execute(p.tmpl, &buf, mapping, renderLimits); err != nil {
		return nil, templateProblems(p.displayed, err)
	}
	out := buf.Bytes()
	if bytes.Contains(out, []byte(noValue)) {
		return out, p.missingValues(out)
	}
	return out, nil
}

// msgMissingValue starts the problem of a value missing from a template.
const msgMissingValue = "template value missing:"

var templateErrRE = regexp.MustCompile(`^template: [^:]*:(\d+)(?::\d+)?: (.*)$`)

// templateProblems turns a text/template error into a Problem at its line.
func templateProblems(file string, err error) error {
	msg := err.Error()
	line := 0
	if m := templateErrRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	msg = strings.ReplaceAll(msg, errMissing.Error(), "a value is missing")
	return Problems{{File: file, Line: line, Msg: "template: " + msg}}
}

var actionRE = regexp.MustCompile(`\{\{[^}]*\}\}`)

// missingValues names each line of the output holding "<no value>". When the
// rendered text has as many lines as the source, lines map one to one and
// the template actions of the source line are quoted.
func (p *parsed) missingValues(out []byte) error {
	lines := strings.Split(string(out), "\n")
	sameShape := len(lines) == len(p.srcLines)
	var ps Problems
	for i, l := range lines {
		if !strings.Contains(l, noValue) {
			continue
		}
		what := strings.TrimSpace(l)
		if sameShape {
			if acts := actionRE.FindAllString(p.srcLines[i], -1); len(acts) > 0 {
				what = strings.Join(acts, " ")
			}
		}
		pr := Problem{File: p.displayed, Line: i + 1,
			Msg: fmt.Sprintf(msgMissingValue+" %s rendered as %s; set it in templateFillMap, --testoverrides or a CL2_* variable", what, noValue)}
		if !sameShape {
			pr.File += " (rendered)"
		}
		ps = append(ps, pr)
	}
	return ps
}

// renderObjects renders an object template and parses its YAML documents.
// An empty result is not an error (CL2 skips empty templates).
func (r *renderer) renderObjects(name string, mapping map[string]any) ([]*unstructured.Unstructured, error) {
	out, err := r.render(name, mapping)
	if err != nil {
		return nil, err
	}
	return parseObjects(r.display(r.path(name)), out)
}

func parseObjects(file string, data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, Problems{{File: file, Msg: fmt.Sprintf("rendered object is not valid YAML: %v", err)}}
		}
		if v == nil {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, Problems{{File: file, Msg: fmt.Sprintf("the template rendered %s, not an object (want apiVersion, kind, metadata...): %s", valueKind(v), excerpt(v))}}
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, Problems{{File: file, Msg: "object has no apiVersion or kind"}}
		}
		objs = append(objs, u)
	}
}

// valueKind names what a YAML document decoded to.
func valueKind(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// excerpt quotes the start of a rendered value for an error message.
func excerpt(v any) string {
	const max = 80
	s := fmt.Sprint(v)
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("%q", s)
}
