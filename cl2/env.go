package cl2

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
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
	if r.boolean("allNamespaces", false) {
		return []string{""}, nil
	}
	if !r.has("min") || !r.has("max") {
		return nil, fmt.Errorf("namespaceRange needs min and max")
	}
	prefix := r.str("prefix", e.prefix)
	var out []string
	for i := r.integer("min", 1); i <= r.integer("max", 0); i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out, nil
}

// resource maps a kind to its dynamic resource client in namespace ("" = all).
func (e *env) resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, error) {
	m, err := e.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("kind %s: %w", gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameRoot {
		return e.dynamic.Resource(m.Resource), nil
	}
	return e.dynamic.Resource(m.Resource).Namespace(namespace), nil
}

// countOwnedPods counts the pods a (possibly deleted) controller's selector
// still matches in its namespace.
func (e *env) countOwnedPods(ctx context.Context, o *unstructured.Unstructured) (int, error) {
	raw, ok, _ := unstructured.NestedMap(o.Object, "spec", "selector")
	if !ok {
		return 0, nil
	}
	var ls metav1.LabelSelector
	if err := runtimeFromUnstructured(raw, &ls); err != nil {
		return 0, err
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return 0, err
	}
	l, err := e.client.CoreV1().Pods(o.GetNamespace()).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return 0, err
	}
	return len(l.Items), nil
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
