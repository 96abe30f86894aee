package wait

import (
	"context"
	"fmt"

	"github.com/itchyny/gojq"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Predicate reports whether one object is ready.
type Predicate func(u *unstructured.Unstructured) bool

// StatusPath is kube-burner's customStatusPaths entry: a jq expression run on
// the object's .status; the object is ready when any output equals Value.
type StatusPath struct {
	Key   string `yaml:"key" json:"key"`
	Value string `yaml:"value" json:"value"`
}

// predicates is the readiness table, by kind.
var predicates = map[string]Predicate{
	"Deployment":            replicasReady,
	"ReplicaSet":            replicasReady,
	"StatefulSet":           replicasReady,
	"ReplicationController": replicasReady,
	"DaemonSet":             daemonSetReady,
	"Pod":                   podReady,
	"Job":                   jobComplete,
	"PersistentVolumeClaim": pvcBound,
}

// ForKind returns the readiness predicate of kind; ok is false for kinds that
// have nothing to wait for (ConfigMap, Secret, Service, ...).
func ForKind(kind string) (p Predicate, ok bool) {
	p, ok = predicates[kind]
	return p, ok
}

// Kinds lists the kinds with a predicate.
func Kinds() []string {
	out := make([]string, 0, len(predicates))
	for k := range predicates {
		out = append(out, k)
	}
	return out
}

func num(u *unstructured.Unstructured, def int64, path ...string) int64 {
	v, found, err := unstructured.NestedFieldNoCopy(u.Object, path...)
	if !found || err != nil {
		return def
	}
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return def
}

func str(u *unstructured.Unstructured, path ...string) string {
	s, _, _ := unstructured.NestedString(u.Object, path...)
	return s
}

func replicasReady(u *unstructured.Unstructured) bool {
	return num(u, 0, "status", "readyReplicas") >= num(u, 1, "spec", "replicas")
}

func daemonSetReady(u *unstructured.Unstructured) bool {
	if num(u, 0, "status", "observedGeneration") < u.GetGeneration() {
		return false
	}
	return num(u, 0, "status", "numberReady") >= num(u, 0, "status", "desiredNumberScheduled")
}

func condition(u *unstructured.Unstructured, typ string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == typ {
			s, _ := m["status"].(string)
			return s
		}
	}
	return ""
}

func podReady(u *unstructured.Unstructured) bool {
	return str(u, "status", "phase") == "Running" && condition(u, "Ready") == "True"
}

func jobComplete(u *unstructured.Unstructured) bool {
	if condition(u, "Complete") == "True" {
		return true
	}
	return num(u, 0, "status", "succeeded") >= num(u, 1, "spec", "completions")
}

func pvcBound(u *unstructured.Unstructured) bool {
	return str(u, "status", "phase") == "Bound"
}

// CustomStatus compiles kube-burner customStatusPaths into a predicate: every
// path must yield its value.
func CustomStatus(paths []StatusPath) (Predicate, error) {
	type compiled struct {
		code  *gojq.Code
		value string
	}
	cs := make([]compiled, 0, len(paths))
	for _, p := range paths {
		q, err := gojq.Parse(p.Key)
		if err != nil {
			return nil, fmt.Errorf("customStatusPaths key %q: %w", p.Key, err)
		}
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, fmt.Errorf("customStatusPaths key %q: %w", p.Key, err)
		}
		cs = append(cs, compiled{code, p.Value})
	}
	return func(u *unstructured.Unstructured) bool {
		status, ok := u.Object["status"].(map[string]any)
		if !ok {
			return false
		}
		for _, c := range cs {
			if !yields(c.code, status, c.value) {
				return false
			}
		}
		return true
	}, nil
}

func yields(code *gojq.Code, input any, want string) bool {
	iter := code.RunWithContext(context.Background(), normalize(input))
	for {
		v, ok := iter.Next()
		if !ok {
			return false
		}
		if _, isErr := v.(error); isErr {
			return false
		}
		if fmt.Sprint(v) == want {
			return true
		}
	}
}

// normalize converts int64 (which gojq does not accept) to int, recursively.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	case int64:
		return int(t)
	}
	return v
}
