package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func containerWith(requests, limits map[corev1.ResourceName]string) corev1.Container {
	rl := func(m map[corev1.ResourceName]string) corev1.ResourceList {
		if m == nil {
			return nil
		}
		out := corev1.ResourceList{}
		for k, v := range m {
			out[k] = resource.MustParse(v)
		}
		return out
	}
	return corev1.Container{Name: "c", Resources: corev1.ResourceRequirements{Requests: rl(requests), Limits: rl(limits)}}
}

func TestDefaultResourceUsage(t *testing.T) {
	u, err := loadResourceUsage("")
	if err != nil {
		t.Fatal(err)
	}
	cpu, mem := corev1.ResourceCPU, corev1.ResourceMemory
	for _, tc := range []struct {
		name             string
		annotations      map[string]string
		c                corev1.Container
		wantCPU, wantMem float64
	}{
		{"request and limit: midpoint", nil, containerWith(map[corev1.ResourceName]string{cpu: "200m", mem: "64Mi"}, map[corev1.ResourceName]string{cpu: "400m", mem: "128Mi"}), 0.3, 96 << 20},
		{"request only", nil, containerWith(map[corev1.ResourceName]string{cpu: "250m", mem: "1Gi"}, nil), 0.25, 1 << 30},
		{"limit only: half", nil, containerWith(nil, map[corev1.ResourceName]string{cpu: "1", mem: "2Gi"}), 0.5, 1 << 30},
		{"neither: 1m and 1Mi", nil, containerWith(nil, nil), 0.001, 1 << 20},
		{"annotation wins", map[string]string{"kwok.x-k8s.io/usage-cpu": "123m", "kwok.x-k8s.io/usage-memory": "10Mi"},
			containerWith(map[corev1.ResourceName]string{cpu: "2"}, nil), 0.123, 10 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Annotations: tc.annotations},
				Spec: corev1.PodSpec{Containers: []corev1.Container{tc.c}}}
			node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}}
			gotCPU, err := u.container(context.Background(), "cpu", node, pod, &pod.Spec.Containers[0])
			if err != nil {
				t.Fatal(err)
			}
			gotMem, err := u.container(context.Background(), "memory", node, pod, &pod.Spec.Containers[0])
			if err != nil {
				t.Fatal(err)
			}
			if !near(gotCPU, tc.wantCPU) || !near(gotMem, tc.wantMem) {
				t.Errorf("cpu %g memory %g, want %g and %g", gotCPU, gotMem, tc.wantCPU, tc.wantMem)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-6*max(1, b) && b-a < 1e-6*max(1, b) }

// A ResourceUsage for one pod wins over ClusterResourceUsage, and an entry
// naming the container wins over the entry naming none: kwok's precedence.
func TestResourceUsagePrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.yaml")
	if err := os.WriteFile(path, []byte(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterResourceUsage
metadata: {name: all}
spec:
  usages:
  - usage: {cpu: {value: 100m}}
  - containers: [sidecar]
    usage: {cpu: {value: 5m}}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ResourceUsage
metadata: {name: special, namespace: ns}
spec:
  usages:
  - usage: {cpu: {expression: 'Quantity("2")'}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := loadResourceUsage(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pod, container string
		want           float64
	}{
		{"other", "main", 0.1},
		{"other", "sidecar", 0.005},
		{"special", "main", 2},
	} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: tc.pod, Namespace: "ns"}}
		c := &corev1.Container{Name: tc.container}
		got, err := u.container(context.Background(), "cpu", nil, pod, c)
		if err != nil || !near(got, tc.want) {
			t.Errorf("pod %s container %s: %g (%v), want %g", tc.pod, tc.container, got, err, tc.want)
		}
	}
}

func TestResourceUsageBadInput(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"kind", "kind: Pod\n", `document 1: kind "Pod"`},
		{"field", "kind: ClusterResourceUsage\nspec: {usagez: []}\n", `unknown field "usagez"`},
		{"expression", "kind: ClusterResourceUsage\nmetadata: {name: x}\nspec:\n  usages:\n  - usage: {cpu: {expression: 'pod.nope('}}\n", "ClusterResourceUsage x: usage.cpu.expression"},
		{"empty", "\n", "no ResourceUsage or ClusterResourceUsage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "usage.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadResourceUsage(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s and %q", err, path, tc.want)
			}
		})
	}
}

// The example of docs/ui.md selects pods by namespace.
func TestResourceUsageDocExample(t *testing.T) {
	u, err := loadResourceUsage(filepath.Join("testdata", "resource-usage-busy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ns, resource string
		want         float64
	}{
		{"kube-burner-stress-0", "cpu", 0.9},
		{"kube-burner-stress-0", "memory", 512 << 20},
		{"other", "cpu", 0},
	} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: tc.ns}}
		got, err := u.container(context.Background(), tc.resource, nil, pod, &corev1.Container{Name: "c"})
		if err != nil || !near(got, tc.want) {
			t.Errorf("%s %s: %g (%v), want %g", tc.ns, tc.resource, got, err, tc.want)
		}
	}
}
