package kube

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

func sinkPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

// The reflector hands the sink whole objects (list, watch) or, after a
// streamed list, the keys its transformer left: each object is observed
// once, keys are reported, and nothing is kept.
func TestSink(t *testing.T) {
	var observed, deleted []string
	var listed [][]string
	s := &Sink{
		Observe: func(obj any) { observed = append(observed, obj.(*corev1.Pod).Name) },
		Deleted: func(key string) { deleted = append(deleted, key) },
		Listed:  func(keys []string) { listed = append(listed, keys) },
	}
	if s.HasSynced() {
		t.Fatal("synced before any list")
	}
	// A streamed initial list: the transformer observes and keeps keys.
	tr := s.Transformer()
	k, err := tr(sinkPod("ns", "a"))
	if err != nil || k != cache.ExplicitKey("ns/a") {
		t.Fatalf("transformer = %v, %v; want the key ns/a", k, err)
	}
	if again, _ := tr(k); again != k {
		t.Errorf("transformer on a key = %v, want it unchanged", again)
	}
	if err := s.Replace([]any{k, sinkPod("ns", "b")}, "1"); err != nil {
		t.Fatal(err)
	}
	if !s.HasSynced() {
		t.Error("not synced after the first list")
	}
	_ = s.Add(sinkPod("ns", "c"))
	_ = s.Update(sinkPod("ns", "c"))
	_ = s.Delete(sinkPod("ns", "a"))
	_ = s.Delete(cache.DeletedFinalStateUnknown{Key: "ns/b", Obj: sinkPod("ns", "b")})
	if want := []string{"a", "b", "c", "c"}; !slices.Equal(observed, want) {
		t.Errorf("observed %v, want %v", observed, want)
	}
	if want := []string{"ns/a", "ns/b"}; !slices.Equal(deleted, want) {
		t.Errorf("deleted %v, want %v", deleted, want)
	}
	if len(listed) != 1 || !slices.Equal(listed[0], []string{"ns/a", "ns/b"}) {
		t.Errorf("listed %v, want [[ns/a ns/b]]", listed)
	}
}
