package measure

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
)

func TestQuantileNearestRank(t *testing.T) {
	s := []float64{15, 20, 35, 40, 50}
	for _, tc := range []struct {
		q    float64
		want float64
	}{{0.05, 15}, {0.30, 20}, {0.40, 20}, {0.50, 35}, {1, 50}, {0.99, 50}} {
		if got := Quantile(s, tc.q); got != tc.want {
			t.Errorf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if Quantile(nil, 0.5) != 0 {
		t.Error("empty sample should give 0")
	}
	st := Summarize([]float64{3, 1, 2, 4})
	if st.Min != 1 || st.Max != 4 || st.Avg != 2.5 || st.P50 != 2 || st.P99 != 4 {
		t.Errorf("Summarize = %+v", st)
	}
}

func cond(typ corev1.PodConditionType, at time.Time) corev1.PodCondition {
	return corev1.PodCondition{Type: typ, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(at)}
}

func TestPodTrackerAndLatency(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := NewPodTracker(TrackerOptions{IterationLabel: "it", ReplicaLabel: "rep", Now: func() time.Time { return t0.Add(time.Hour) }})
	mk := func(uid string, ready time.Duration) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: uid, Namespace: "ns", UID: k8stypes.UID("u" + uid), CreationTimestamp: metav1.NewTime(t0),
			Labels: map[string]string{"it": "3", "rep": "1"}}}
		p.Spec.NodeName = "n1"
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodScheduled, t0.Add(time.Second)), cond(corev1.PodInitialized, t0.Add(time.Second)),
			cond(corev1.ContainersReady, t0.Add(ready)), cond(corev1.PodReady, t0.Add(ready))}
		return p
	}
	tr.Observe(mk("a", 2*time.Second))
	tr.Observe(mk("b", 4*time.Second))
	pending := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns", UID: "uc", CreationTimestamp: metav1.NewTime(t0)}}
	tr.Observe(pending)
	// A later update must not move a first transition.
	later := mk("a", 9*time.Second)
	tr.Observe(later)
	docs, qs := PodLatencies(tr.Pods(), "U", "job", t0)
	if len(docs) != 2 {
		t.Fatalf("want 2 ready pods, got %d", len(docs))
	}
	if docs[0].PodReadyLatency != 2000 || docs[0].SchedulingLatency != 1000 || docs[0].JobIteration != 3 || docs[0].Replica != 1 || docs[0].NodeName != "n1" {
		t.Errorf("doc = %+v", docs[0])
	}
	var ready LatencyQuantiles
	for _, q := range qs {
		if q.QuantileName == CondReady {
			ready = q
		}
	}
	if ready.P50 != 2000 || ready.P99 != 4000 || ready.Max != 4000 || ready.Avg != 3000 {
		t.Errorf("Ready quantiles = %+v", ready)
	}
	checks := ThresholdChecks("podLatency", []Threshold{{ConditionType: CondReady, Metric: "P99", Threshold: 3 * time.Second}, {ConditionType: CondReady, Metric: "P50", Threshold: 3 * time.Second}}, qs)
	if f := Failed(checks); len(checks) != 2 || len(f) != 1 || f[0].Detail != "podLatency: P99 Ready latency (4.00s) higher than configured threshold: 3s" {
		t.Errorf("want 1 of 2 thresholds failed with kube-burner's text, got %+v", checks)
	}
}
