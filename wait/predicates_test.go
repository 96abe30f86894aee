package wait

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(kind string, spec, status map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"kind": kind}}
	if spec != nil {
		u.Object["spec"] = spec
	}
	if status != nil {
		u.Object["status"] = status
	}
	return u
}

func TestPredicates(t *testing.T) {
	readyCond := []any{map[string]any{"type": "Ready", "status": "True"}}
	for _, tc := range []struct {
		name string
		u    *unstructured.Unstructured
		want bool
	}{
		{"deploy ready", obj("Deployment", map[string]any{"replicas": int64(2)}, map[string]any{"readyReplicas": int64(2)}), true},
		{"deploy partial", obj("Deployment", map[string]any{"replicas": int64(2)}, map[string]any{"readyReplicas": int64(1)}), false},
		{"deploy default 1", obj("Deployment", map[string]any{}, map[string]any{"readyReplicas": int64(1)}), true},
		{"sts none", obj("StatefulSet", map[string]any{"replicas": int64(1)}, nil), false},
		{"ds ready", obj("DaemonSet", nil, map[string]any{"desiredNumberScheduled": int64(3), "numberReady": int64(3)}), true},
		{"ds not", obj("DaemonSet", nil, map[string]any{"desiredNumberScheduled": int64(3), "numberReady": int64(2)}), false},
		{"pod ready", obj("Pod", nil, map[string]any{"phase": "Running", "conditions": readyCond}), true},
		{"pod pending", obj("Pod", nil, map[string]any{"phase": "Pending"}), false},
		{"job done", obj("Job", nil, map[string]any{"conditions": []any{map[string]any{"type": "Complete", "status": "True"}}}), true},
		{"job running", obj("Job", map[string]any{"completions": int64(2)}, map[string]any{"succeeded": int64(1)}), false},
		{"pvc bound", obj("PersistentVolumeClaim", nil, map[string]any{"phase": "Bound"}), true},
		{"pvc pending", obj("PersistentVolumeClaim", nil, map[string]any{"phase": "Pending"}), false},
	} {
		p, ok := ForKind(tc.u.GetKind())
		if !ok {
			t.Fatalf("%s: no predicate", tc.name)
		}
		if got := p(tc.u); got != tc.want {
			t.Errorf("%s: got %v want %v", tc.name, got, tc.want)
		}
	}
	if _, ok := ForKind("ConfigMap"); ok {
		t.Error("ConfigMap should have nothing to wait for")
	}
}

func TestCustomStatus(t *testing.T) {
	p, err := CustomStatus([]StatusPath{{Key: `(.conditions.[] | select(.type == "Available")).status`, Value: "True"}, {Key: ".readyReplicas", Value: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	ok := obj("Deployment", nil, map[string]any{"readyReplicas": int64(2), "conditions": []any{map[string]any{"type": "Available", "status": "True"}}})
	if !p(ok) {
		t.Error("want ready")
	}
	notOK := obj("Deployment", nil, map[string]any{"readyReplicas": int64(2), "conditions": []any{map[string]any{"type": "Available", "status": "False"}}})
	if p(notOK) {
		t.Error("want not ready")
	}
	if _, err := CustomStatus([]StatusPath{{Key: ".[[", Value: "x"}}); err == nil {
		t.Error("want parse error")
	}
}
