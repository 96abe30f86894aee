package measure

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestJobLatencies(t *testing.T) {
	tr := newJobTracker()
	at := func(ms int) *metav1.Time {
		v := metav1.NewTime(t0.Add(time.Duration(ms) * time.Millisecond))
		return &v
	}
	job := func(uid, name string, start, done int) *batchv1.Job {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid), Name: name, Namespace: "ns", CreationTimestamp: *at(0),
			Labels: map[string]string{"kube-burner.io/job-iteration": "2", "kube-burner.io/replica": "1"}}}
		if start >= 0 {
			j.Status.StartTime = at(start)
		}
		if done >= 0 {
			j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: *at(done)}}
		}
		return j
	}
	tr.observe(job("a", "a", 1000, 3000))
	tr.observe(job("b", "b", 2000, 5000))
	tr.observe(job("c", "running", 1000, -1))
	docs, qs := JobLatencies(tr.times(), "U", "j", t0)
	if len(docs) != 2 || docs[0].Name != "a" || docs[0].StartTimeLatency != 1000 || docs[0].CompletionLatency != 3000 || docs[0].JobIteration != 2 {
		t.Fatalf("docs = %+v: want a and b, a started at 1s and complete at 3s", docs)
	}
	if len(qs) != 2 || qs[0].QuantileName != "StartTime" || qs[1].QuantileName != "Complete" || qs[1].Max != 5000 || qs[1].MetricName != JobLatencyQuantilesMetric {
		t.Errorf("quantiles = %+v", qs)
	}
}

func TestPVCLatencies(t *testing.T) {
	now := t0
	tr := &pvcTracker{now: func() time.Time { return now }, pvcs: map[types.UID]*pvcTimes{}}
	class := "standard"
	pvc := func(uid, size string, phase corev1.PersistentVolumeClaimPhase, capacity string) *corev1.PersistentVolumeClaim {
		c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid), Name: uid, Namespace: "ns"},
			Spec:   corev1.PersistentVolumeClaimSpec{StorageClassName: &class, Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}}},
			Status: corev1.PersistentVolumeClaimStatus{Phase: phase}}
		if capacity != "" {
			c.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(capacity)}
		}
		return c
	}
	tr.observe(pvc("a", "1Gi", corev1.ClaimPending, ""))
	tr.observe(pvc("never", "1Gi", corev1.ClaimPending, ""))
	now = t0.Add(250 * time.Millisecond)
	tr.observe(pvc("a", "1Gi", corev1.ClaimBound, "1Gi"))
	now = t0.Add(time.Second)
	tr.observe(pvc("a", "2Gi", corev1.ClaimBound, "1Gi"))
	now = t0.Add(1500 * time.Millisecond)
	tr.observe(pvc("a", "2Gi", corev1.ClaimBound, "2Gi"))
	docs, qs := tr.latencies("U", "j", t0)
	if len(docs) != 1 {
		t.Fatalf("docs = %+v: want only the bound claim", docs)
	}
	d := docs[0]
	if d.BindingLatency != 250 || d.PendingLatency != 0 || d.ResizeLatency != 500 || d.ResizedCapacity != "2Gi" || d.Size != "1Gi" || d.StorageClass != "standard" || d.MetricName != PVCLatencyMetric {
		t.Errorf("doc = %+v: want bound at 250ms, resized in 500ms to 2Gi", d)
	}
	if len(qs) != 4 || qs[1].QuantileName != "Bound" || qs[1].P99 != 250 || qs[3].QuantileName != "Resize" {
		t.Errorf("quantiles = %+v", qs)
	}
}

func TestServiceLatencies(t *testing.T) {
	now := t0
	tr := &svcTracker{now: func() time.Time { return now }, services: map[types.UID]*svcTimes{}, readyAt: map[string]time.Time{}}
	svc := func(name string, ann map[string]string) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{UID: types.UID(name), Name: name, Namespace: "ns", Annotations: ann}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP}}
	}
	slice := func(svc string, addrs ...string) *discoveryv1.EndpointSlice {
		return &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
			Endpoints: []discoveryv1.Endpoint{{Addresses: addrs}}}
	}
	tr.observeService(svc("web", nil))
	tr.observeService(svc("empty", nil))
	tr.observeService(svc("off", map[string]string{serviceLatencyAnnotation: "false"}))
	now = t0.Add(100 * time.Millisecond)
	tr.observeSlice(slice("empty"))
	tr.observeSlice(slice("off", "10.0.0.2"))
	now = t0.Add(300 * time.Millisecond)
	tr.observeSlice(slice("web", "10.0.0.1"))
	now = t0.Add(time.Second)
	tr.observeSlice(slice("web", "10.0.0.1"))
	docs, qs := tr.latencies("U", "j", t0)
	if len(docs) != 1 || docs[0].Name != "web" || docs[0].ReadyLatency != 300*time.Millisecond || docs[0].MetricName != ServiceLatencyMetric {
		t.Fatalf("docs = %+v: want web ready after 300ms", docs)
	}
	if len(qs) != 1 || qs[0].QuantileName != "Ready" || qs[0].P99 != int(300*time.Millisecond) {
		t.Errorf("quantiles = %+v: want Ready in nanoseconds", qs)
	}
}
