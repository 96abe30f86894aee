package burner

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"

	"github.com/perflab/perflab/internal/tmplbound"
)

// funcMap is sprig's text functions, built once, with its loop helpers
// bounded, and kube-burner's own.
var funcMap = boundedSprig()

func boundedSprig() template.FuncMap {
	m := sprig.TxtFuncMap()
	tmplbound.BoundSprigLoops(m)
	addKubeBurnerFuncs(m)
	return m
}

// renderLimits bound every rendering of a config or object template (an
// object's limit in etcd is 1.5 MB).
var renderLimits = tmplbound.Limits{MaxBytes: 64 << 20, Timeout: 30 * time.Second}

// EnvVars returns the environment as template variables.
func EnvVars() map[string]any {
	out := map[string]any{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

// parseTemplate parses text as a Go template named name, with sprig.
func parseTemplate(name string, text []byte, allowMissing bool) (*template.Template, error) {
	opt := "missingkey=error"
	if allowMissing {
		opt = "missingkey=zero"
	}
	return template.New(name).Option(opt).Funcs(funcMap).Parse(string(text))
}

// templateLineRE finds "template: NAME:LINE:COL: msg" or "template: NAME:LINE: msg".
var templateLineRE = regexp.MustCompile(`template: [^:]*:(\d+)(?::\d+)?: (.*)$`)

// templateError turns a text/template error into a ConfigError at its line.
func templateError(file string, err error) *ConfigError {
	msg := err.Error()
	var ee template.ExecError
	if errors.As(err, &ee) {
		msg = ee.Err.Error()
	}
	if m := templateLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return errorf(file, n, "", "template: %s", strings.TrimSpace(m[2]))
	}
	return errorf(file, 0, "", "template: %s", msg)
}

// renderText renders a Go template text with vars.
func renderText(file string, text []byte, vars map[string]any, allowMissing bool) ([]byte, error) {
	t, err := parseTemplate(file, text, allowMissing)
	if err != nil {
		return nil, templateError(file, err)
	}
	var b bytes.Buffer
	if err := tmplbound.Execute(t, &b, vars, renderLimits); err != nil {
		return nil, templateError(file, err)
	}
	if allowMissing {
		return bytes.ReplaceAll(b.Bytes(), []byte("<no value>"), nil), nil
	}
	return b.Bytes(), nil
}
