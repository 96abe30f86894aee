package ui

import (
	"maps"
	"sync"

	"k8s.io/apimachinery/pkg/labels"
)

// State is what a pod tile's colour says.
type State uint8

// Pod states, from the pod's phase, readiness and deletion.
const (
	StatePending State = iota
	StateReady
	StateNotReady // Running, not Ready
	StateTerminating
	StateFailed
	StateSucceeded
	StateUnknown
	numStates
)

var stateNames = [numStates]string{"pending", "ready", "notready", "terminating", "failed", "succeeded", "unknown"}

func (s State) String() string { return stateNames[s] }

// Pod is what the view keeps of a pod.
type Pod struct {
	Namespace, Name string
	Node            string
	Phase           string // corev1.PodPhase
	State           State
	// Reason is the scheduler's message while the pod is unschedulable
	// (PodScheduled=False).
	Reason      string
	CPUMilli    int64 // sum of container requests
	MemoryBytes int64
	Labels      map[string]string
}

// Key is "namespace/name".
func (p *Pod) Key() string { return p.Namespace + "/" + p.Name }

// Node is what the view keeps of a node.
type Node struct {
	Name             string
	Ready            bool
	MaxPods          int64
	CPUAllocMilli    int64
	MemoryAllocBytes int64
}

// Usage is a node's measured usage from metrics.k8s.io.
type Usage struct {
	CPUMilli    int64
	MemoryBytes int64
}

// Model is the cluster as the view knows it. Its methods are safe for
// concurrent use; every change bumps Version.
type Model struct {
	mu      sync.RWMutex
	version uint64
	nodes   map[string]*Node
	pods    map[string]*Pod            // by key
	byNode  map[string]map[string]*Pod // node name ("" = unscheduled) → key → pod
	usage   map[string]Usage           // node → usage; nil when the metrics API does not answer
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{nodes: map[string]*Node{}, pods: map[string]*Pod{}, byNode: map[string]map[string]*Pod{}}
}

// Version increases with every change.
func (m *Model) Version() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.version
}

// SetNode adds or replaces a node.
func (m *Model) SetNode(n *Node) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.nodes[n.Name]; old != nil && *old == *n {
		return
	}
	m.nodes[n.Name] = n
	m.version++
}

// DeleteNode removes a node.
func (m *Model) DeleteNode(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.nodes, name)
	m.version++
}

// SetPod adds or replaces a pod.
func (m *Model) SetPod(p *Pod) {
	key := p.Key()
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.pods[key]; old != nil {
		if samePod(old, p) {
			return
		}
		m.unindex(key, old)
	}
	m.pods[key] = p
	set := m.byNode[p.Node]
	if set == nil {
		set = map[string]*Pod{}
		m.byNode[p.Node] = set
	}
	set[key] = p
	m.version++
}

// DeletePod removes a pod.
func (m *Model) DeletePod(namespace, name string) {
	key := namespace + "/" + name
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.pods[key]; old != nil {
		m.unindex(key, old)
		delete(m.pods, key)
		m.version++
	}
}

// SetUsage replaces every node's usage; nil means the metrics API does not
// answer.
func (m *Model) SetUsage(u map[string]Usage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if (m.usage == nil) == (u == nil) && maps.Equal(m.usage, u) {
		return
	}
	m.usage = u
	m.version++
}

func (m *Model) unindex(key string, p *Pod) {
	if set := m.byNode[p.Node]; set != nil {
		delete(set, key)
		if len(set) == 0 {
			delete(m.byNode, p.Node)
		}
	}
}

// samePod reports whether a and b show the same; labels are compared by
// identity of content only when the rest is equal.
func samePod(a, b *Pod) bool {
	if a.Node != b.Node || a.Phase != b.Phase || a.State != b.State || a.Reason != b.Reason ||
		a.CPUMilli != b.CPUMilli || a.MemoryBytes != b.MemoryBytes || len(a.Labels) != len(b.Labels) {
		return false
	}
	for k, v := range a.Labels {
		if w, ok := b.Labels[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Filter selects the pods a view shows.
type Filter struct {
	Namespace string
	Selector  labels.Selector // nil: every pod
}

func (f Filter) match(p *Pod) bool {
	if f.Namespace != "" && p.Namespace != f.Namespace {
		return false
	}
	return f.Selector == nil || f.Selector.Empty() || f.Selector.Matches(labels.Set(p.Labels))
}
