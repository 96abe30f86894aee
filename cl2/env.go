package cl2

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// automanaged lists the automanaged namespaces <prefix>-1..<prefix>-N.
func (e *env) automanaged() []string {
	out := make([]string, e.namespaces)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", e.prefix, i+1)
	}
	return out
}

// namespacesOf reads a namespaceRange param {min, max, prefix}; nil means
// cluster scope (""), as in CL2's WaitForGenericK8sObjects.
func (e *env) namespacesOf(r params) ([]string, error) {
	if r == nil {
		return []string{""}, nil
	}
	if r.Bool("allNamespaces", false) {
		return []string{""}, nil
	}
	if !r.has("min") || !r.has("max") {
		return nil, fmt.Errorf("namespaceRange needs min and max")
	}
	prefix := r.Str("prefix", e.prefix)
	var out []string
	for i := r.Int("min", 1); i <= r.Int("max", 0); i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out, nil
}

// gvr maps a kind to its resource.
func (e *env) gvr(gvk schema.GroupVersionKind) (schema.GroupVersionResource, error) {
	m, err := e.kube.Map(gvk.GroupVersion().String(), gvk.Kind)
	return m.GVR, err
}

func runtimeFromUnstructured(m map[string]any, out any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(m, out)
}

func selectorString(ls *metav1.LabelSelector) (string, error) {
	if ls == nil {
		return "", nil
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return "", err
	}
	return sel.String(), nil
}
