package measure

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
)

// kube-burner v2's sub-second pod latency: Scheduled from the scheduler's
// event time, ContainersStarted from the last Started event's name.
func TestPodLatencyFromEvents(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := NewPodTracker(TrackerOptions{Events: true})
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1", CreationTimestamp: metav1.NewTime(created)}}
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodScheduled, created), cond(corev1.PodReady, created.Add(time.Second))}
	tr.Observe(p)
	ev := func(reason, name string, at time.Time) *corev1.Event {
		return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name}, Reason: reason,
			InvolvedObject: corev1.ObjectReference{UID: k8stypes.UID("u1")}, EventTime: metav1.NewMicroTime(at)}
	}
	hex := func(at time.Time) string { return fmt.Sprintf("p.%x", at.UnixNano()) }
	tr.ObserveEvent(ev("Scheduled", "p.sched", created.Add(37*time.Millisecond)))
	tr.ObserveEvent(ev("Started", hex(created.Add(412*time.Millisecond)), time.Time{}))
	tr.ObserveEvent(ev("Started", hex(created.Add(388*time.Millisecond)), time.Time{}))
	tr.ObserveEvent(ev("Pulled", hex(created.Add(900*time.Millisecond)), time.Time{}))
	docs, qs := PodLatencies(tr.Pods(), "U", "j", created)
	if len(docs) != 1 || docs[0].SchedulingLatency != 37 || docs[0].ContainersStartedLatency != 412 || docs[0].PodReadyLatency != 1000 {
		t.Fatalf("docs = %+v: want scheduling 37ms and containers started 412ms (the last Started)", docs)
	}
	names := map[string]bool{}
	for _, q := range qs {
		names[q.QuantileName] = true
	}
	if !names[CondContainersStarted] || !names[CondScheduled] || len(qs) != 6 {
		t.Errorf("quantiles %v: want kube-burner v2's six, ContainersStarted too", names)
	}
}
