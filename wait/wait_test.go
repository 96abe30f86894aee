package wait

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8swatch "k8s.io/apimachinery/pkg/watch"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"
)

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// pod is a pod as the API server sends it, Ready or not, with the labels,
// container, conditions and managedFields that make its size.
func pod(i int, ready bool) *unstructured.Unstructured {
	status := "False"
	if ready {
		status = "True"
	}
	var conds []any
	for _, c := range []string{"PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"} {
		conds = append(conds, map[string]any{"type": c, "status": status, "lastTransitionTime": "2026-12-01T08:00:00Z"})
	}
	labels := map[string]any{"app": "sleep", "pod-template-hash": "7c9f8d5b4"}
	for _, k := range []string{"uuid", "runid", "job", "index", "job-iteration", "replica", "group"} {
		labels["kube-burner.io/"+k] = fmt.Sprintf("%s-value-%d", k, i)
	}
	var managed []any
	for _, m := range []string{"kube-controller-manager", "kube-scheduler", "kwok"} {
		managed = append(managed, map[string]any{"manager": m, "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
			"fieldsV1": map[string]any{"f:metadata": map[string]any{"f:labels": map[string]any{"f:app": map[string]any{}}},
				"f:status": map[string]any{"f:conditions": map[string]any{`k:{"type":"Ready"}`: map[string]any{".": map[string]any{}}}}}})
	}
	phase := "Pending"
	if ready {
		phase = "Running"
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": fmt.Sprintf("deployment-%d-7c9f8d5b4-%05x", i/10, i), "namespace": fmt.Sprintf("perflab-%d", i/100),
			"uid": fmt.Sprintf("6f1c2d3e-0000-4000-8000-%012d", i), "resourceVersion": fmt.Sprint(1000 + 2*i), "labels": labels,
			"creationTimestamp": "2026-12-01T08:00:00Z", "managedFields": managed},
		"spec": map[string]any{"nodeName": fmt.Sprintf("kwok-node-%d", i%200), "containers": []any{map[string]any{
			"name": "sleep", "image": "registry.k8s.io/pause:3.10",
			"resources": map[string]any{"requests": map[string]any{"cpu": "10m", "memory": "10Mi"}}}}},
		"status": map[string]any{"phase": phase, "conditions": conds, "podIP": "10.244.0.1",
			"containerStatuses": []any{map[string]any{"name": "sleep", "ready": ready, "state": map[string]any{"running": map[string]any{"startedAt": "2026-12-01T08:00:01Z"}}}}},
	}}
}

func fakeDynamic(objs ...k8sruntime.Object) *dynamicfake.FakeDynamicClient {
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(k8sruntime.NewScheme(),
		map[schema.GroupVersionResource]string{podsGVR: "PodList"}, objs...)
}

// Until follows creations, updates and deletions through the watch and
// keeps no object: readiness counts and names come from the tracker.
func TestUntilAndGone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dyn := fakeDynamic(pod(0, true))
	pods := dyn.Resource(podsGVR)
	done := make(chan Status, 1)
	go func() {
		s, err := Until(ctx, dyn, Target{GVR: podsGVR, Ready: podReady, Expected: 3}, nil)
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	for i := 1; i < 3; i++ {
		if _, err := pods.Namespace(pod(i, false).GetNamespace()).Create(ctx, pod(i, false), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Not done while pods 1 and 2 are not Ready.
	select {
	case s := <-done:
		t.Fatalf("Until returned %+v before every pod was Ready", s)
	case <-time.After(200 * time.Millisecond):
	}
	for i := 1; i < 3; i++ {
		if _, err := pods.Namespace(pod(i, true).GetNamespace()).Update(ctx, pod(i, true), metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if s := <-done; s.Total != 3 || s.Ready != 3 || len(s.NotReady) != 0 {
		t.Errorf("Until = %+v, want 3 of 3 ready", s)
	}

	gone := make(chan Status, 1)
	go func() {
		s, err := Gone(ctx, dyn, Target{GVR: podsGVR}, nil)
		if err != nil {
			t.Error(err)
		}
		gone <- s
	}()
	for i := range 3 {
		if err := pods.Namespace(pod(i, true).GetNamespace()).Delete(ctx, pod(i, true).GetName(), metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if s := <-gone; s.Total != 0 {
		t.Errorf("Gone = %+v, want none left", s)
	}
}

// A timed-out wait names the objects not ready; a relist forgets the ones
// gone.
func TestTrackerStatus(t *testing.T) {
	tr := &tracker{ready: map[string]bool{}, pred: podReady, notify: make(chan struct{}, 1)}
	for i := range 30 {
		tr.set(pod(i, i%3 == 0))
	}
	node := &unstructured.Unstructured{Object: map[string]any{"kind": "Node", "metadata": map[string]any{"name": "n1"}}}
	tr.set(node)
	s := tr.status()
	if s.Total != 31 || s.Ready != 10 || len(s.NotReady) != 20 {
		t.Fatalf("status = %d/%d ready, %d named; want 10/31, 20 named", s.Ready, s.Total, len(s.NotReady))
	}
	tr.set(pod(1, true)) // not ready → ready
	tr.set(pod(0, true)) // ready again: counted once
	tr.del(pod(3, true).GetNamespace() + "/" + pod(3, true).GetName())
	if s := tr.counts(); s.Total != 30 || s.Ready != 10 {
		t.Errorf("after update and delete: %+v, want 10/30", s)
	}
	tr.listed([]string{pod(0, true).GetNamespace() + "/" + pod(0, true).GetName(), "n1"})
	s = tr.status()
	if s.Total != 2 || s.Ready != 1 || len(s.NotReady) != 1 || s.NotReady[0] != "/n1" {
		t.Errorf("after relist: %+v, want pod 0 ready and node /n1 not", s)
	}
}

// BenchmarkUntilRetained runs b.N pods (created, then Ready) through
// wait.Until and reports the heap it holds per pod when the wait ends, after
// a GC: what a job's waitWhenFinished keeps per object.
func BenchmarkUntilRetained(b *testing.B) {
	b.ReportAllocs()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := k8swatch.NewFakeWithChanSize(64, false)
	dyn := fakeDynamic()
	dyn.PrependWatchReactor("pods", func(k8stesting.Action) (bool, k8swatch.Interface, error) { return true, w, nil })
	var before, at runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	go func() {
		for i := range b.N {
			w.Add(pod(i, false))
			w.Modify(pod(i, true))
		}
	}()
	b.ResetTimer()
	_, err := Until(ctx, dyn, Target{GVR: podsGVR, Ready: podReady, Expected: b.N}, func(s Status) {
		if s.Ready == b.N {
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&at)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(int64(at.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "B/pod")
}
