package ui

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

func TestStateOf(t *testing.T) {
	for _, tc := range []struct {
		phase    corev1.PodPhase
		ready    bool
		deleting bool
		want     State
	}{
		{corev1.PodPending, false, false, StatePending},
		{corev1.PodRunning, true, false, StateReady},
		{corev1.PodRunning, false, false, StateNotReady},
		{corev1.PodRunning, true, true, StateTerminating},
		{corev1.PodFailed, false, true, StateFailed},
		{corev1.PodSucceeded, false, false, StateSucceeded},
		{corev1.PodUnknown, false, false, StateUnknown},
	} {
		if got := stateOf(tc.phase, tc.ready, tc.deleting); got != tc.want {
			t.Errorf("stateOf(%s, ready=%v, deleting=%v) = %s, want %s", tc.phase, tc.ready, tc.deleting, got, tc.want)
		}
	}
}

func TestPodOfKeepsSchedulerReasonAndRequests(t *testing.T) {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "x"}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "a", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}}},
			{Name: "b", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}}},
		}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
			Message: "0/1 nodes are available: 1 Too many pods.",
		}}},
	}
	trimmed, err := trimPod(p)
	if err != nil {
		t.Fatal(err)
	}
	tp := trimmed.(*corev1.Pod)
	if len(tp.ManagedFields) != 0 {
		t.Errorf("transform kept managedFields")
	}
	got := podOf(tp)
	if got.Reason != "0/1 nodes are available: 1 Too many pods." || got.CPUMilli != 350 || got.MemoryBytes != 64<<20 || got.State != StatePending {
		t.Errorf("podOf(trimPod(p)) = %+v", got)
	}
}

func pod(ns, name, node string, s State, lbl map[string]string) *Pod {
	phase := map[State]string{StatePending: "Pending", StateReady: "Running", StateFailed: "Failed"}[s]
	return &Pod{Namespace: ns, Name: name, Node: node, Phase: phase, State: s, CPUMilli: 100, MemoryBytes: 1 << 20, Labels: lbl}
}

func TestViewGroupsFiltersAndAggregates(t *testing.T) {
	m := NewModel()
	m.SetNode(&Node{Name: "n1", Ready: true, MaxPods: 3, CPUAllocMilli: 1000})
	m.SetNode(&Node{Name: "n0", Ready: true, MaxPods: 3})
	m.SetPod(pod("a", "p1", "n1", StateReady, map[string]string{"app": "x"}))
	m.SetPod(pod("a", "p2", "n1", StateReady, map[string]string{"app": "y"}))
	m.SetPod(pod("b", "p3", "n1", StateFailed, nil))
	m.SetPod(pod("a", "q1", "", StatePending, map[string]string{"app": "x"}))
	m.SetPod(&Pod{Namespace: "a", Name: "q2", Phase: "Pending", Reason: "0/2 nodes are available: 2 Too many pods."})
	m.SetPod(&Pod{Namespace: "a", Name: "q3", Phase: "Pending", Reason: "0/2 nodes are available: 2 Too many pods."})

	v := m.View(Filter{}, Limits{TilesPerNode: 2})
	if len(v.Nodes) != 2 || v.Nodes[0].Name != "n0" || v.Nodes[1].Name != "n1" {
		t.Fatalf("nodes = %+v, want n0, n1 sorted", v.Nodes)
	}
	n1 := v.Nodes[1]
	// The failed pod counts in the node's tiles but not against its capacity.
	if n1.Pods != 2 || n1.CPURequestMilli != 200 || len(n1.Tiles) != 2 || n1.More != 1 {
		t.Errorf("n1 = %+v, want 2 pods, 200m, 2 tiles, 1 more", n1)
	}
	if n1.Tiles[0] != (Tile{"a/p1", "Running", "ready"}) {
		t.Errorf("first tile = %v", n1.Tiles[0])
	}
	if len(v.Pending) != 2 || v.Pending[0].Count != 2 || v.Pending[0].Reason != "0/2 nodes are available: 2 Too many pods." {
		t.Errorf("pending = %+v, want the Too-many-pods group of 2 first", v.Pending)
	}
	if v.Totals[StateReady] != 2 || v.Totals[StatePending] != 3 || v.Totals[StateFailed] != 1 {
		t.Errorf("totals = %v", v.Totals)
	}

	sel, _ := labels.Parse("app=x")
	v = m.View(Filter{Namespace: "a", Selector: sel}, Limits{})
	if got := v.Nodes[1].Counts[StateReady]; got != 1 || v.Nodes[1].Pods != 2 {
		t.Errorf("filtered n1: ready %d pods %d, want 1 ready shown of 2 pods", got, v.Nodes[1].Pods)
	}
	if len(v.Pending) != 1 || v.Pending[0].Count != 1 {
		t.Errorf("filtered pending = %+v", v.Pending)
	}
}

func TestModelVersionOnlyMovesOnChange(t *testing.T) {
	m := NewModel()
	m.SetPod(pod("a", "p", "n", StateReady, map[string]string{"k": "v"}))
	v := m.Version()
	m.SetPod(pod("a", "p", "n", StateReady, map[string]string{"k": "v"}))
	if m.Version() != v {
		t.Errorf("an identical update bumped the version")
	}
	m.SetPod(pod("a", "p", "n", StateFailed, map[string]string{"k": "v"}))
	if m.Version() == v {
		t.Errorf("a phase change did not bump the version")
	}
	m.DeletePod("a", "p")
	if got := m.View(Filter{}, Limits{}); got.Pods != 0 || len(got.Pending) != 0 {
		t.Errorf("after delete: %+v", got)
	}
}

func TestNewRefusesOpenAddressWithoutToken(t *testing.T) {
	cfg := testConfig()
	for _, tc := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:0", "", true},
		{"[::1]:0", "", true},
		{"localhost:0", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"0.0.0.0:8080", "secret", true},
		{"nonsense", "", false},
	} {
		_, err := New(Options{Addr: tc.addr, Token: tc.token, Config: cfg})
		if (err == nil) != tc.ok {
			t.Errorf("New(addr %q, token set %v): err = %v, want ok %v", tc.addr, tc.token != "", err, tc.ok)
		}
	}
}
