package cl2

import (
	"fmt"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// paramKind is the type a measurement param must have.
type paramKind int

const (
	pString paramKind = iota
	pInt
	pFloat
	pBool
	pDuration
	pSelector // a label selector string such as "app = web"
	pStrings  // a list of strings
	pMap      // a nested mapping
)

func (k paramKind) String() string {
	return [...]string{"string", "integer", "number", "boolean", "duration", "label selector", "list of strings", "mapping"}[k]
}

// params are one measurement call's parameters with typed getters. Getters
// return the default when a key is absent; validation already checked types.
type params map[string]any

func (p params) has(k string) bool { _, ok := p[k]; return ok }

func (p params) Str(k, def string) string {
	if v, ok := p[k]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return def
}

func (p params) Int(k string, def int) int {
	if v, ok := p[k]; ok {
		if f, err := toFloat(v); err == nil {
			return int(f)
		}
	}
	return def
}

func (p params) Float(k string, def float64) float64 {
	if v, ok := p[k]; ok {
		if f, err := toFloat(v); err == nil {
			return f
		}
	}
	return def
}

func (p params) Bool(k string, def bool) bool {
	if v, ok := p[k]; ok {
		if b, err := asBool(v); err == nil {
			return b
		}
	}
	return def
}

func (p params) Duration(k string, def time.Duration) time.Duration {
	if v, ok := p[k]; ok {
		if d, err := asDuration(v); err == nil {
			return d
		}
	}
	return def
}

func (p params) strings(k string) []string {
	l, _ := p[k].([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func (p params) mapping(k string) params {
	m, _ := p[k].(map[string]any)
	return m
}

func asBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		return strconv.ParseBool(b)
	}
	return false, fmt.Errorf("want true or false, got %v", v)
}

// asDuration accepts "30s"-style strings; a bare number is seconds.
func asDuration(v any) (time.Duration, error) {
	switch d := v.(type) {
	case string:
		pd, err := parseDuration(d)
		return pd.D(), err
	case int64, float64, int:
		f, _ := toFloat(d)
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("want a duration such as 30s, got %v", v)
}

// checkKind reports whether v can be read as kind k.
func checkKind(v any, k paramKind) error {
	switch k {
	case pString:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("want a string, got %v", v)
		}
	case pInt, pFloat:
		f, err := toFloat(v)
		if err != nil {
			return fmt.Errorf("want a %s, got %v", k, v)
		}
		if k == pInt && f != float64(int64(f)) {
			return fmt.Errorf("want an integer, got %v", v)
		}
	case pBool:
		_, err := asBool(v)
		return err
	case pDuration:
		_, err := asDuration(v)
		return err
	case pSelector:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a label selector string such as \"app = web\", got %v", v)
		}
		if _, err := labels.Parse(s); err != nil {
			return fmt.Errorf("bad label selector %q: %v", s, err)
		}
	case pStrings:
		if _, ok := v.([]any); !ok {
			return fmt.Errorf("want a list of strings, got %v", v)
		}
	case pMap:
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("want a mapping, got %v", v)
		}
	}
	return nil
}
