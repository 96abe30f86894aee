package cl2

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/perflab/perflab/internal/strictyaml"
)

// DefaultImageRegistry is CL2's default for the ImageRegistry variable.
const DefaultImageRegistry = "registry.k8s.io"

// Mapping builds the template variables of a test the way CL2 does: the
// --testoverrides files in order (later files win), then Nodes and
// ImageRegistry ($REGISTRY_K8S_REPO, default registry.k8s.io), then every
// CL2_* environment variable. An environment variable that disagrees with an
// override is an error, as in CL2.
func Mapping(overrides []string, environ []string, nodes int) (map[string]any, error) {
	m := map[string]any{}
	for _, path := range overrides {
		vals, err := readOverrides(path)
		if err != nil {
			return nil, err
		}
		maps.Copy(m, vals)
	}
	m["Nodes"] = nodes
	m["ImageRegistry"] = DefaultImageRegistry
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "REGISTRY_K8S_REPO="); ok && v != "" {
			m["ImageRegistry"] = v
		}
	}
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "CL2_") {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		val := envValue(v)
		if old, ok := m[k]; ok && !sameValue(old, val) {
			return nil, fmt.Errorf("variable %s: environment value %v conflicts with --testoverrides value %v", k, val, old)
		}
		m[k] = val
	}
	return m, nil
}

func readOverrides(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--testoverrides: %w", err)
	}
	var raw any
	root, err := strictyaml.Parse(path, b)
	if err != nil {
		return nil, Problems{inputProblem(path, err)}
	}
	if root.Kind != 0 {
		if err := root.Decode(&raw); err != nil {
			return nil, Problems{{File: path, Msg: err.Error()}}
		}
	}
	if raw == nil {
		return map[string]any{}, nil
	}
	m, ok := strictyaml.Normalize(raw).(map[string]any)
	if !ok {
		return nil, Problems{{File: path, Line: 1, Msg: "overrides must be a mapping of NAME: value"}}
	}
	return m, nil
}

// envValue types an environment value: integer, then float, then bool, else string.
func envValue(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	return s
}

func sameValue(a, b any) bool {
	if fa, err := toFloat(a); err == nil {
		if fb, err := toFloat(b); err == nil {
			return fa == fb
		}
	}
	return reflect.DeepEqual(a, b)
}
