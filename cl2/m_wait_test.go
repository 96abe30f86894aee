package cl2

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestControllerNotReady(t *testing.T) {
	obj := func(kind string, gen int64, spec, status map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"kind": kind, "spec": spec, "status": status}}
		u.SetGeneration(gen)
		return u
	}
	tests := []struct {
		name string
		o    *unstructured.Unstructured
		want string
	}{
		// A Job's status has no observedGeneration: this one is running.
		{"job running", obj("Job", 1, map[string]any{"parallelism": int64(2), "completions": int64(4)},
			map[string]any{"active": int64(2), "ready": int64(2)}), ""},
		{"job pods not ready", obj("Job", 1, map[string]any{"parallelism": int64(2), "completions": int64(4)},
			map[string]any{"active": int64(2), "ready": int64(1)}), "1/2 running"},
		{"job last completion", obj("Job", 1, map[string]any{"parallelism": int64(2), "completions": int64(4)},
			map[string]any{"active": int64(1), "ready": int64(1), "succeeded": int64(3)}), ""},
		{"job done", obj("Job", 1, map[string]any{"parallelism": int64(2), "completions": int64(4)},
			map[string]any{"succeeded": int64(4)}), ""},
		{"job without ready field", obj("Job", 1, map[string]any{"parallelism": int64(3)},
			map[string]any{"active": int64(3)}), ""},
		{"deployment stale status", obj("Deployment", 2, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(1), "readyReplicas": int64(2), "updatedReplicas": int64(2)}), "observed generation 1 < 2"},
		{"deployment ready", obj("Deployment", 2, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(2), "readyReplicas": int64(2), "updatedReplicas": int64(2), "replicas": int64(2)}), ""},
		{"daemonset not updated", obj("DaemonSet", 1, map[string]any{},
			map[string]any{"observedGeneration": int64(1), "desiredNumberScheduled": int64(3), "numberReady": int64(3), "updatedNumberScheduled": int64(1)}), "1/3 updated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := controllerNotReady(tt.o, true); got != tt.want {
				t.Errorf("controllerNotReady = %q, want %q", got, tt.want)
			}
		})
	}
}
