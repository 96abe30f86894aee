package cl2

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/template"

	yaml "go.yaml.in/yaml/v3"

	"github.com/perflab/perflab/internal/tmplbound"
)

// templateFuncs is CL2's template function set. dir is the directory of the
// config; IncludeFile and IncludeEmbedFile read relative to it.
func templateFuncs(dir string, rnd *lockedRand) template.FuncMap {
	return template.FuncMap{
		"AddFloat":         addFloat,
		"AddInt":           func(xs ...any) (int, error) { f, err := addFloat(xs...); return int(f), err },
		"Ceil":             func(x any) (float64, error) { f, err := toFloat(x); return math.Ceil(f), err },
		"Concat":           func(xs ...string) string { return strings.Join(xs, "") },
		"DefaultParam":     defaultParam,
		"DivideFloat":      divideFloat,
		"DivideInt":        func(a, b any) (int, error) { f, err := divideFloat(a, b); return int(f), err },
		"IfThenElse":       ifThenElse,
		"IncludeEmbedFile": func(p any) (string, error) { return includeFile(dir, p, false) },
		"IncludeFile":      func(p any) (string, error) { return includeFile(dir, p, true) },
		"Loop":             loop,
		"Lowercase":        strings.ToLower,
		"MaxFloat":         maxFloat,
		"MaxInt":           func(xs ...any) (int, error) { f, err := maxFloat(xs...); return int(f), err },
		"MinFloat":         minFloat,
		"MinInt":           func(xs ...any) (int, error) { f, err := minFloat(xs...); return int(f), err },
		"Mod":              mod,
		"MultiplyFloat":    multiplyFloat,
		"MultiplyInt":      func(xs ...any) (int, error) { f, err := multiplyFloat(xs...); return int(f), err },
		"RandData":         rnd.data,
		"RandDataWithSeed": randDataWithSeed,
		"RandInt":          rnd.intn,
		"RandIntRange":     rnd.intRange,
		"Seq":              sliceOfZeros, // deprecated in CL2: zeros, not 0..n-1
		"SliceOfZeros":     sliceOfZeros,
		"StringSplit":      func(s string) []string { return strings.Split(s, ",") },
		"SubtractFloat":    subtractFloat,
		"SubtractInt":      func(a, b any) (int, error) { f, err := subtractFloat(a, b); return int(f), err },
		"YamlQuote":        yamlQuote,
	}
}

var errMissing = errors.New("value is missing (not set in the mapping, templateFillMap, --testoverrides or a CL2_* variable)")

// toFloat converts a template value to a number the way CL2 does: any Go
// number, or a string holding one.
func toFloat(x any) (float64, error) {
	switch v := x.(type) {
	case nil:
		return 0, errMissing
	case float64:
		return v, nil
	case float32:
		return float64(v), nil
	case int:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case int32:
		return float64(v), nil
	case uint:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case uint32:
		return float64(v), nil
	case string:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f, nil
		}
	}
	return 0, fmt.Errorf("cannot use %v (%T) as a number", x, x)
}

func floats(xs []any) ([]float64, error) {
	out := make([]float64, len(xs))
	for i, x := range xs {
		f, err := toFloat(x)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func addFloat(xs ...any) (float64, error) {
	fs, err := floats(xs)
	sum := 0.0
	for _, f := range fs {
		sum += f
	}
	return sum, err
}

func multiplyFloat(xs ...any) (float64, error) {
	fs, err := floats(xs)
	p := 1.0
	for _, f := range fs {
		p *= f
	}
	return p, err
}

func subtractFloat(a, b any) (float64, error) {
	fs, err := floats([]any{a, b})
	if err != nil {
		return 0, err
	}
	return fs[0] - fs[1], nil
}

func divideFloat(a, b any) (float64, error) {
	fs, err := floats([]any{a, b})
	if err != nil {
		return 0, err
	}
	if fs[1] == 0 {
		return 0, errors.New("division by zero")
	}
	return fs[0] / fs[1], nil
}

func maxFloat(xs ...any) (float64, error) {
	fs, err := floats(xs)
	if err != nil {
		return 0, err
	}
	if len(fs) == 0 {
		return 0, errors.New("MaxFloat/MaxInt of no numbers")
	}
	m := fs[0]
	for _, f := range fs[1:] {
		m = math.Max(m, f)
	}
	return m, nil
}

func minFloat(xs ...any) (float64, error) {
	fs, err := floats(xs)
	if err != nil {
		return 0, err
	}
	if len(fs) == 0 {
		return 0, errors.New("MinFloat/MinInt of no numbers")
	}
	m := fs[0]
	for _, f := range fs[1:] {
		m = math.Min(m, f)
	}
	return m, nil
}

func mod(a, b any) (int, error) {
	fs, err := floats([]any{a, b})
	if err != nil {
		return 0, err
	}
	if int(fs[1]) == 0 {
		return 0, errors.New("Mod by zero")
	}
	return int(fs[0]) % int(fs[1]), nil
}

// defaultParam returns def when param is unset.
func defaultParam(param, def any) any {
	if param == nil {
		return def
	}
	return param
}

func ifThenElse(cond, then, els any) (any, error) {
	b, ok := cond.(bool)
	if !ok {
		return nil, fmt.Errorf("IfThenElse: condition is %T, want bool", cond)
	}
	if b {
		return then, nil
	}
	return els, nil
}

func includeFile(dir string, p any, expandEnv bool) (string, error) {
	name, ok := p.(string)
	if !ok {
		return "", fmt.Errorf("include: path is %T, want string", p)
	}
	if expandEnv {
		name = os.ExpandEnv(name)
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("include: %w", err)
	}
	return string(b), nil
}

func loop(n any) ([]int, error) {
	f, err := toFloat(n)
	if err != nil || f < 0 {
		return nil, fmt.Errorf("Loop: bad size %v", n)
	}
	if err := tmplbound.CheckItems("Loop", f); err != nil {
		return nil, err
	}
	out := make([]int, int(f))
	for i := range out {
		out[i] = i
	}
	return out, nil
}

func sliceOfZeros(n any) ([]int, error) {
	f, err := toFloat(n)
	if err != nil || f < 0 {
		return nil, fmt.Errorf("SliceOfZeros: bad size %v", n)
	}
	if err := tmplbound.CheckItems("SliceOfZeros", f); err != nil {
		return nil, err
	}
	return make([]int, int(f)), nil
}

// yamlQuote renders s as a YAML scalar, indenting continuation lines by
// tabs*2 spaces so the result can sit inside a block.
func yamlQuote(s any, tabs any) (string, error) {
	str, ok := s.(string)
	if !ok {
		return "", fmt.Errorf("YamlQuote: value is %T, want string", s)
	}
	n, ok := tabs.(int)
	if !ok {
		return "", fmt.Errorf("YamlQuote: indent is %T, want int", tabs)
	}
	b, err := yaml.Marshal(str)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "\n", "\n"+strings.Repeat("  ", n)), nil
}

const randAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// lockedRand is the random source of RandInt, RandIntRange and RandData;
// tests seed it for reproducible output.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed uint64) *lockedRand {
	return &lockedRand{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (l *lockedRand) intn(n any) (int, error) {
	f, err := toFloat(n)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("RandInt: bad bound %v", n)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(int(f) + 1), nil
}

func (l *lockedRand) intRange(a, b any) (int, error) {
	fs, err := floats([]any{a, b})
	if err != nil {
		return 0, err
	}
	lo, hi := int(fs[0]), int(fs[1])
	if lo >= hi {
		return lo, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return lo + l.r.IntN(hi-lo+1), nil
}

func (l *lockedRand) data(n any) (string, error) {
	f, err := toFloat(n)
	if err != nil || f < 0 {
		return "", fmt.Errorf("RandData: bad length %v", n)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return randString(l.r, int(f)), nil
}

// randDataWithSeed is deterministic for a given seed string.
func randDataWithSeed(n any, seed any) (string, error) {
	f, err := toFloat(n)
	if err != nil || f < 0 {
		return "", fmt.Errorf("RandDataWithSeed: bad length %v", n)
	}
	s, ok := seed.(string)
	if !ok {
		return "", fmt.Errorf("RandDataWithSeed: seed is %T, want string", seed)
	}
	sum := sha256.Sum256([]byte(s))
	v := binary.BigEndian.Uint64(sum[:8])
	return randString(rand.New(rand.NewPCG(v, v)), int(f)), nil
}

func randString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = randAlphabet[r.IntN(len(randAlphabet))]
	}
	return string(b)
}
