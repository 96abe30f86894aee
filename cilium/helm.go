package cilium

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/perflab/perflab/internal/strictyaml"
)

// Values are Helm values for the Cilium chart, as nested maps.
type Values map[string]any

// LoadValues reads a values.yaml file.
func LoadValues(path string) (Values, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("values file: %w", err)
	}
	if err := strictyaml.Check(path, raw); err != nil {
		return nil, fmt.Errorf("values file: %w", err)
	}
	v := Values{}
	if err := yaml.Unmarshal(raw, &v); err != nil {
		// The YAML error carries the line number.
		return nil, fmt.Errorf("values file %s: %w", path, err)
	}
	return v, nil
}

// Set applies one --set argument ("a.b.c=value", several separated by
// commas) the way helm's strvals does for scalars: integers and booleans are
// typed, "null" deletes, everything else (floats included) stays a string.
func (v Values) Set(arg string) error {
	for _, pair := range splitUnescaped(arg, ',') {
		key, val, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(key) == "" {
			return fmt.Errorf("--set %q: want key=value", pair)
		}
		path := splitUnescaped(strings.TrimSpace(key), '.')
		for i, p := range path {
			if p == "" {
				return fmt.Errorf("--set %q: empty key segment", pair)
			}
			path[i] = strings.ReplaceAll(p, `\.`, ".")
		}
		m := map[string]any(v)
		for _, p := range path[:len(path)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		last := path[len(path)-1]
		switch {
		case val == "null":
			delete(m, last)
		case val == "true" || val == "false":
			m[last] = val == "true"
		default:
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				m[last] = n
			} else {
				m[last] = val
			}
		}
	}
	return nil
}

func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Lookup returns the value at a dotted path and whether it exists.
func (v Values) Lookup(path string) (any, bool) {
	var cur any = map[string]any(v)
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// helmScalar renders a value as the chart's `| quote` or `| int` would see it.
func helmScalar(x any) string {
	switch t := x.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		if t == float64(int64(t)) {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return fmt.Sprint(t)
	}
}

// helmTruthy is Go template truthiness for the values we read.
func helmTruthy(x any) bool {
	switch t := x.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case int64:
		return t != 0
	case float64:
		return t != 0
	case map[string]any:
		return len(t) > 0
	case []any:
		return len(t) > 0
	}
	return true
}

// helmFloat is sprig's float64 conversion: unparsable strings become 0.
func helmFloat(x any) float64 {
	switch t := x.(type) {
	case float64:
		return t
	case int64:
		return float64(t)
	case string:
		f, _ := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f
	}
	return 0
}

// helmInt is sprig's int conversion (toInt): floats truncate, bad strings 0.
// A float beyond int64 (where Go's conversion, and so Helm's, yields
// -9223372036854775808 on amd64) keeps its text, for AgentConfig.Int to
// refuse with the option's bounds.
func helmInt(x any) string {
	switch t := x.(type) {
	case float64:
		return floatToInt(t, strconv.FormatFloat(t, 'g', -1, 64))
	case int64:
		return strconv.FormatInt(t, 10)
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(t), 64); err == nil {
			return floatToInt(f, t)
		}
		return "0"
	}
	return "0"
}

func floatToInt(f float64, text string) string {
	if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return text
	}
	return strconv.FormatInt(int64(f), 10)
}

// RenderAgentConfig renders the map-sizing part of the chart's
// templates/cilium-configmap.yaml (v1.18.4) for v, layered over the chart's
// own values.yaml defaults (lbMapMax 65536, policyMapMax 16384,
// policyStatsMapMax 65536, distributedLRU false). notes explain quirks that
// applied.
func RenderAgentConfig(v Values) (cfg AgentConfig, notes []string) {
	cfg = AgentConfig{}
	get := func(path string) any { x, _ := v.Lookup(path); return x }

	// {{- if ne 0.0 ( .Values.bpf.mapDynamicSizeRatio | float64) }} ... else
	// the default 0.0025 (upgradeCompatibility >= 1.8, the default).
	ratio := get("bpf.mapDynamicSizeRatio")
	if helmFloat(ratio) != 0.0 {
		cfg[OptDynamicSizeRatio] = helmScalar(ratio)
	} else {
		cfg[OptDynamicSizeRatio] = "0.0025"
		if ratio != nil {
			notes = append(notes, fmt.Sprintf("bpf.mapDynamicSizeRatio=%s renders as 0.0025: the chart treats 0 as unset (cilium-configmap.yaml `if ne 0.0 (... | float64)`), so dynamic sizing cannot be turned off through this key; set extraConfig.bpf-map-dynamic-size-ratio instead", helmScalar(ratio)))
		}
	}
	// $bpfCtTcpMax := coalesce .Values.bpf.ctTcpMax 0 (>=1.8), written when non-zero.
	for _, k := range []struct{ path, opt string }{
		{"bpf.ctTcpMax", OptCTTCPMax}, {"bpf.ctAnyMax", OptCTAnyMax},
		{"bpf.authMapMax", OptAuthMapMax}, {"bpf.natMax", OptNATMax}, {"bpf.neighMax", OptNeighMax},
	} {
		if x := get(k.path); helmTruthy(x) {
			cfg[k.opt] = helmInt(x)
		}
	}
	// hasKey .Values.bpf "policyMapMax" etc.: the chart's values.yaml
	// always has them, so they are always written.
	for _, k := range []struct {
		path, opt string
		def       int
	}{
		{"bpf.policyMapMax", OptPolicyMapMax, PolicyMapDefault},
		{"bpf.policyStatsMapMax", OptPolicyStatsMapMax, PolicyStatsMapDefault},
		{"bpf.lbMapMax", OptLBMapMax, LBMapDefault},
	} {
		if x, ok := v.Lookup(k.path); ok {
			cfg[k.opt] = helmInt(x)
		} else {
			cfg[k.opt] = strconv.Itoa(k.def)
		}
	}
	cfg[OptDistributedLRU] = "false"
	if x, ok := v.Lookup("bpf.distributedLRU.enabled"); ok {
		cfg[OptDistributedLRU] = helmScalar(x)
	}
	// extraConfig is appended at the end of the ConfigMap data.
	if extra, ok := get("extraConfig").(map[string]any); ok {
		for k, x := range extra {
			if _, dup := cfg[k]; dup {
				notes = append(notes, fmt.Sprintf("extraConfig.%s duplicates a key the chart already writes; the ConfigMap then has the key twice and the later (extraConfig) value is assumed", k))
			}
			cfg[k] = helmScalar(x)
		}
	}
	return cfg, notes
}
