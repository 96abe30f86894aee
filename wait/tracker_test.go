package wait

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The tracker counts ready objects and keeps the first object that
// Target.Failed names; a ready object is never asked.
func TestTrackerFailure(t *testing.T) {
	phase := func(u *unstructured.Unstructured) string {
		p, _, _ := unstructured.NestedString(u.Object, "status", "phase")
		return p
	}
	tr := &tracker{ready: map[string]bool{}, notify: make(chan struct{}, 1),
		pred: func(u *unstructured.Unstructured) bool { return phase(u) == "Running" },
		failed: func(u *unstructured.Unstructured) string {
			if p := phase(u); p == "Failed" || p == "Running" {
				return "phase " + p
			}
			return ""
		}}
	pod := func(name, p string) *unstructured.Unstructured {
		u := obj("Pod", nil, map[string]any{"phase": p})
		u.SetNamespace("ns")
		u.SetName(name)
		return u
	}
	tr.set(pod("a", "Running"))
	tr.set(pod("b", "Pending"))
	if f := tr.firstFailure(); f != "" {
		t.Fatalf("failure %q before any pod failed", f)
	}
	tr.set(pod("b", "Failed"))
	tr.set(pod("c", "Failed"))
	if f, s := tr.firstFailure(), tr.status(); f != "ns/b: phase Failed" || s.Ready != 1 || s.Total != 3 {
		t.Errorf("failure %q, status %+v; want ns/b's, 1 of 3 ready", f, s)
	}
}
