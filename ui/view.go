package ui

import (
	"cmp"
	"slices"
)

// Limits bound what one view carries, so its size does not grow with the
// cluster beyond what a page can draw.
type Limits struct {
	// TilesPerNode is the most pod tiles one node shows; the rest are
	// counted. Default 128 (a full default node of 110 pods shows whole).
	TilesPerNode int
	// Tiles is the most tiles in a whole view; on many nodes each node gets
	// an equal share. Default 6000.
	Tiles int
	// PendingTiles is the most tiles in the unscheduled area. Default 500.
	PendingTiles int
}

func (l *Limits) setDefaults() {
	if l.TilesPerNode <= 0 {
		l.TilesPerNode = 128
	}
	if l.Tiles <= 0 {
		l.Tiles = 6000
	}
	if l.PendingTiles <= 0 {
		l.PendingTiles = 500
	}
}

// Tile is one pod on the page: [key, phase, state].
type Tile [3]string

// Counts are pods per State, indexed by State.
type Counts [numStates]int

// NodeView is one node box. Pods, requests and usage count every pod on the
// node; Counts and Tiles only the pods the filter selects.
type NodeView struct {
	Name            string `json:"name"`
	Ready           bool   `json:"ready"`
	Pods            int    `json:"pods"`
	MaxPods         int64  `json:"maxPods"`
	CPURequestMilli int64  `json:"cpuReq"`
	CPUAllocMilli   int64  `json:"cpuAlloc"`
	MemRequestBytes int64  `json:"memReq"`
	MemAllocBytes   int64  `json:"memAlloc"`
	CPUUsageMilli   int64  `json:"cpuUse"` // -1: unknown
	MemUsageBytes   int64  `json:"memUse"` // -1: unknown
	Counts          Counts `json:"counts"`
	Tiles           []Tile `json:"tiles"`
	More            int    `json:"more"` // selected pods without a tile
}

// PendingGroup is the unscheduled pods sharing one scheduler message.
type PendingGroup struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
	Tiles  []Tile `json:"tiles"`
}

// View is what a page draws at one moment.
type View struct {
	Version uint64         `json:"version"`
	Nodes   []NodeView     `json:"nodes"`
	Pending []PendingGroup `json:"pending"`
	// Orphans are selected pods bound to a node the view does not know.
	Orphans int    `json:"orphans"`
	Totals  Counts `json:"totals"`
	Pods    int    `json:"pods"`  // every pod in the cluster
	Usage   bool   `json:"usage"` // metrics.k8s.io answered
}

// View builds the view of the pods f selects.
func (m *Model) View(f Filter, l Limits) *View {
	l.setDefaults()
	m.mu.RLock()
	defer m.mu.RUnlock()
	v := &View{Version: m.version, Pods: len(m.pods), Usage: m.usage != nil}
	names := make([]string, 0, len(m.nodes))
	for name := range m.nodes {
		names = append(names, name)
	}
	slices.Sort(names)
	perNode := min(l.TilesPerNode, l.Tiles/max(len(names), 1))
	v.Nodes = make([]NodeView, len(names))
	var keys []string
	for i, name := range names {
		v.Nodes[i], keys = m.nodeView(m.nodes[name], f, perNode, keys)
		for s, c := range v.Nodes[i].Counts {
			v.Totals[s] += c
		}
	}
	v.Pending = m.pendingView(f, l.PendingTiles, &v.Totals)
	for node, set := range m.byNode {
		if node == "" || m.nodes[node] != nil {
			continue
		}
		for _, p := range set {
			if f.match(p) {
				v.Orphans++
				v.Totals[p.State]++
			}
		}
	}
	return v
}

// nodeView fills one node box; keys is scratch space returned for reuse.
func (m *Model) nodeView(n *Node, f Filter, tiles int, keys []string) (NodeView, []string) {
	nv := NodeView{Name: n.Name, Ready: n.Ready, MaxPods: n.MaxPods, CPUAllocMilli: n.CPUAllocMilli,
		MemAllocBytes: n.MemoryAllocBytes, CPUUsageMilli: -1, MemUsageBytes: -1}
	if u, ok := m.usage[n.Name]; ok {
		nv.CPUUsageMilli, nv.MemUsageBytes = u.CPUMilli, u.MemoryBytes
	}
	set := m.byNode[n.Name]
	keys = keys[:0]
	for key, p := range set {
		if p.State != StateSucceeded && p.State != StateFailed {
			nv.Pods++
			nv.CPURequestMilli += p.CPUMilli
			nv.MemRequestBytes += p.MemoryBytes
		}
		if f.match(p) {
			nv.Counts[p.State]++
			keys = append(keys, key)
		}
	}
	if len(keys) > tiles {
		nv.More = len(keys) - tiles
	}
	if tiles > 0 {
		slices.Sort(keys)
		keys := keys[:min(len(keys), tiles)]
		nv.Tiles = make([]Tile, len(keys))
		for i, key := range keys {
			p := set[key]
			nv.Tiles[i] = Tile{key, p.Phase, p.State.String()}
		}
	}
	return nv, keys
}

// pendingView groups the unscheduled pods by the scheduler's message.
func (m *Model) pendingView(f Filter, tiles int, totals *Counts) []PendingGroup {
	groups := map[string][]*Pod{}
	for _, p := range m.byNode[""] {
		if !f.match(p) {
			continue
		}
		totals[p.State]++
		groups[p.Reason] = append(groups[p.Reason], p)
	}
	out := make([]PendingGroup, 0, len(groups))
	for reason, pods := range groups {
		out = append(out, PendingGroup{Reason: reason, Count: len(pods)})
	}
	// The largest group first; equal groups by message.
	slices.SortFunc(out, func(a, b PendingGroup) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Reason, b.Reason)
	})
	for i := range out {
		pods := groups[out[i].Reason]
		slices.SortFunc(pods, func(a, b *Pod) int {
			return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
		})
		n := min(len(pods), tiles)
		tiles -= n
		out[i].Tiles = make([]Tile, n)
		for j, p := range pods[:n] {
			out[i].Tiles[j] = Tile{p.Key(), p.Phase, p.State.String()}
		}
	}
	return out
}
