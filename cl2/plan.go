package cl2

import "fmt"

// DefaultMaxObjects bounds what a config may ask of the cluster unless
// LoadOptions.MaxObjects (--max-objects) says otherwise: far above CL2's
// own load test at 5,000 nodes, far below what fits in memory as objects.
const DefaultMaxObjects = 5_000_000

// Totals are what a test would do to the cluster, counted from the config
// without running it: automanaged namespaces, phase actions (one replica's
// bundle each) and object calls. Objects that exist before the run
// (listUnknownObjectOptions) count as none.
type Totals struct {
	Namespaces                int64
	Actions                   int64
	Creates, Updates, Deletes int64
}

// Objects is every object call plus the namespaces.
func (t Totals) Objects() int64 { return t.Namespaces + t.Creates + t.Updates + t.Deletes }

func (t Totals) String() string {
	return fmt.Sprintf("%d namespaces, %d actions: %d creates, %d updates, %d deletes of objects", t.Namespaces, t.Actions, t.Creates, t.Updates, t.Deletes)
}

// countTotals walks the steps in order, reconciling replica counts as the
// run would, and reports where the running total passes max (0 = none).
// Memory is one counter per namespace and bundle member, whatever the
// replica counts.
func (t *Test) countTotals(max int64) (Totals, Problems) {
	c := t.Config
	tot := Totals{Namespaces: int64(c.Namespace.Number)}
	over := func(pos *positions, path string) Problems {
		return Problems{pos.Errorf(path, "the test would make %d object calls and namespaces by here (%s so far), above the limit of %d: a typo? (raise --max-objects if you mean it)",
			tot.Objects(), tot, max)}
	}
	if max > 0 && tot.Namespaces > max {
		return tot, over(t.pos, "namespace.number")
	}
	state := map[instanceKey]int32{}
	for _, s := range t.Steps {
		for i, ph := range s.Phases {
			if ph == nil {
				continue
			}
			path := fmt.Sprintf("%s.phases[%d]", s.at.path, i)
			if n := t.phaseNamespaceCount(ph); max > 0 && n > max {
				tot.Namespaces += n // shown in the message, never created
				return tot, over(s.at.pos, path+".namespaceRange")
			}
			if ps := t.countPhase(ph, state, &tot); len(ps) > 0 {
				return tot, ps
			}
			if max > 0 && tot.Objects() > max {
				return tot, over(s.at.pos, path+".replicasPerNamespace")
			}
		}
	}
	return tot, nil
}

// phaseNamespaceCount is len(phaseNamespaces(ph)) without building it.
func (t *Test) phaseNamespaceCount(ph *Phase) int64 {
	switch {
	case ph.NamespaceList != nil:
		return int64(len(ph.NamespaceList))
	case ph.NamespaceRange == nil:
		return 1
	}
	return max(0, int64(ph.NamespaceRange.Max)-int64(ph.NamespaceRange.Min)+1)
}

func (t *Test) countPhase(ph *Phase, state map[instanceKey]int32, tot *Totals) Problems {
	perReplica := make([]int64, len(ph.ObjectBundle))
	kinds := make([]string, len(ph.ObjectBundle))
	for j, o := range ph.ObjectBundle {
		if o == nil {
			return nil // reported by validate
		}
		objs, err := t.rawObjects(o.ObjectTemplatePath)
		if err != nil || len(objs) == 0 {
			return nil // reported by validate
		}
		perReplica[j] = int64(len(objs))
		kinds[j] = objs[0].GroupVersionKind().GroupKind().String()
	}
	for _, ns := range t.phaseNamespaces(ph) {
		var p replicaPlan
		for j, o := range ph.ObjectBundle {
			k := instanceKey{namespace: ns, basename: o.Basename, kind: kinds[j]}
			p = replicaPlan{ns, state[k], ph.ReplicasPerNamespace}
			state[k] = ph.ReplicasPerNamespace
			tot.Creates += p.creates() * perReplica[j]
			tot.Updates += p.patches() * perReplica[j]
			tot.Deletes += p.deletes() * perReplica[j]
		}
		tot.Actions += p.len()
	}
	return nil
}
