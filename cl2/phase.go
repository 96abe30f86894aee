package cl2

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// objectAPI is how phases change the cluster. Implementations retry
// transient errors, tolerate AlreadyExists on create and NotFound on delete,
// and obey the run's rate limiter.
type objectAPI interface {
	Create(ctx context.Context, namespace string, obj *unstructured.Unstructured) error
	// Patch applies obj to the live object as a JSON merge patch (CL2's update).
	Patch(ctx context.Context, namespace string, obj *unstructured.Unstructured) error
	Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) error
	// Count returns how many objects of gvk match selector in namespace.
	Count(ctx context.Context, gvk schema.GroupVersionKind, namespace, selector string) (int, error)
}

type opKind int

const (
	opCreate opKind = iota
	opPatch
	opDelete
)

func (k opKind) String() string { return [...]string{"create", "update", "delete"}[k] }

// replicaOp is one action: the whole bundle of one replica index in one namespace.
type replicaOp struct {
	kind      opKind
	namespace string
	index     int32
}

// replicaPlan reconciles one namespace from current to desired replicas:
// indices at or above desired are deleted (highest first), equal counts
// update every replica, missing indices are created. Its ops are computed
// by position, never stored.
type replicaPlan struct {
	namespace        string
	current, desired int32
}

func (p replicaPlan) deletes() int64 { return int64(max(0, p.current-p.desired)) }
func (p replicaPlan) creates() int64 { return int64(max(0, p.desired-p.current)) }
func (p replicaPlan) patches() int64 {
	if p.current == p.desired {
		return int64(p.desired)
	}
	return 0
}

// len is the number of ops.
func (p replicaPlan) len() int64 { return p.deletes() + p.patches() + p.creates() }

// op returns op k, 0 <= k < len().
func (p replicaPlan) op(k int64) replicaOp {
	if d := p.deletes(); k < d {
		return replicaOp{opDelete, p.namespace, p.current - 1 - int32(k)}
	} else if k -= d; k < p.patches() {
		return replicaOp{opPatch, p.namespace, int32(k)}
	} else {
		return replicaOp{opCreate, p.namespace, p.current + int32(k-p.patches())}
	}
}

// phaseOps yields every op of plans in order, one per call (count of them).
func phaseOps(plans []replicaPlan) (count int64, next func() replicaOp) {
	for _, p := range plans {
		count += p.len()
	}
	i, k := 0, int64(0)
	return count, func() replicaOp {
		for k >= plans[i].len() {
			i, k = i+1, 0
		}
		k++
		return plans[i].op(k - 1)
	}
}

// instanceKey identifies a bundle member's replicas in one namespace, as
// CL2's state does: namespace, basename, kind and API group.
type instanceKey struct {
	namespace, basename, kind, group string
}

// replicaState remembers how many replicas of each bundle member exist.
type replicaState struct {
	mu    sync.Mutex
	count map[instanceKey]int32
}

func newReplicaState() *replicaState { return &replicaState{count: map[instanceKey]int32{}} }

func (s *replicaState) get(k instanceKey) (int32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.count[k]
	return v, ok
}

func (s *replicaState) set(k instanceKey, v int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count[k] = v
}

// phaseNamespaces lists the namespaces a phase reconciles; "" is cluster scope.
func (t *Test) phaseNamespaces(ph *Phase) []string {
	if ph.NamespaceList != nil {
		return ph.NamespaceList
	}
	if ph.NamespaceRange == nil {
		return []string{""}
	}
	base := t.Config.Namespace.Prefix
	if ph.NamespaceRange.Basename != nil {
		base = *ph.NamespaceRange.Basename
	}
	var out []string
	for i := ph.NamespaceRange.Min; i <= ph.NamespaceRange.Max; i++ {
		out = append(out, fmt.Sprintf("%s-%d", base, i))
	}
	return out
}

// maxErrors is how many action errors a phase keeps; the rest are counted.
const maxErrors = 20

// errorList collects errors from concurrent actions, keeping the first
// maxErrors so that a phase of millions of failing actions stays small.
type errorList struct {
	mu      sync.Mutex
	errs    []error
	dropped int
}

func (l *errorList) add(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == maxErrors {
		l.dropped++
		return
	}
	l.errs = append(l.errs, err)
}

func (l *errorList) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropped > 0 {
		return errors.Join(append(l.errs, fmt.Errorf("... and %d more errors", l.dropped))...)
	}
	return errors.Join(l.errs...)
}

// runPhase reconciles one phase: it plans every namespace, then lets the
// tuning set pace the actions.
func (r *runner) runPhase(ctx context.Context, ph *Phase) error {
	p, err := r.pacers.get(ph.TuningSet)
	if err != nil {
		return err
	}
	kinds := make([][]schema.GroupVersionKind, len(ph.ObjectBundle))
	for j, o := range ph.ObjectBundle {
		objs, err := r.t.rawObjects(o.ObjectTemplatePath)
		if err != nil {
			return err
		}
		if len(objs) == 0 {
			return fmt.Errorf("template %s holds no object", o.ObjectTemplatePath)
		}
		for _, obj := range objs {
			kinds[j] = append(kinds[j], obj.GroupVersionKind())
		}
	}
	var plans []replicaPlan
	for _, ns := range r.t.phaseNamespaces(ph) {
		if err := ctx.Err(); err != nil {
			return err
		}
		var current int32 = -1
		keys := make([]instanceKey, len(ph.ObjectBundle))
		for j, o := range ph.ObjectBundle {
			keys[j] = instanceKey{ns, o.Basename, kinds[j][0].Kind, kinds[j][0].Group}
			n, ok := r.state.get(keys[j])
			if !ok {
				if n, err = r.unknownReplicas(ctx, o, kinds[j][0], ns); err != nil {
					return err
				}
			}
			if current >= 0 && n != current {
				return fmt.Errorf("namespace %s: bundle members have different replica counts (%s has %d, others %d)", ns, o.Basename, n, current)
			}
			current = n
		}
		plans = append(plans, replicaPlan{ns, current, ph.ReplicasPerNamespace})
		for _, k := range keys {
			r.state.set(k, ph.ReplicasPerNamespace)
		}
	}
	var errs errorList
	n, nextOp := phaseOps(plans)
	r.progress.SetTotal(r.actions.Add(n))
	p.execute(ctx, int(n), func() action {
		op := nextOp()
		return func(ctx context.Context) { errs.add(r.runBundle(ctx, ph, kinds, op)) }
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errs.err()
}

// unknownReplicas counts existing objects when listUnknownObjectOptions is set.
func (r *runner) unknownReplicas(ctx context.Context, o *Object, gvk schema.GroupVersionKind, ns string) (int32, error) {
	if o.ListUnknownObjectOptions == nil {
		return 0, nil
	}
	sel, err := selectorString(o.ListUnknownObjectOptions.LabelSelector)
	if err != nil {
		return 0, err
	}
	n, err := r.objects.Count(ctx, gvk, ns, sel)
	return int32(n), err
}

// runBundle applies one replica's bundle; deletes go in reverse bundle order.
func (r *runner) runBundle(ctx context.Context, ph *Phase, kinds [][]schema.GroupVersionKind, op replicaOp) error {
	defer r.progress.Add(1)
	n := len(ph.ObjectBundle)
	for k := 0; k < n; k++ {
		j := k
		if op.kind == opDelete {
			j = n - 1 - k
		}
		o := ph.ObjectBundle[j]
		name := fmt.Sprintf("%s-%d", o.Basename, op.index)
		if err := r.applyObject(ctx, o, kinds[j], op, name); err != nil {
			return fmt.Errorf("%s %s/%s: %w", op.kind, op.namespace, name, err)
		}
	}
	return nil
}

func (r *runner) applyObject(ctx context.Context, o *Object, gvks []schema.GroupVersionKind, op replicaOp, name string) error {
	if op.kind == opDelete {
		for i := len(gvks) - 1; i >= 0; i-- {
			if err := r.objects.Delete(ctx, gvks[i], op.namespace, name); err != nil {
				return err
			}
		}
		return nil
	}
	objs, err := r.t.render.renderObjects(o.ObjectTemplatePath, r.t.objectMapping(o, op.namespace, int(op.index)))
	if err != nil {
		return err
	}
	for _, obj := range objs {
		obj.SetName(name)
		if op.namespace != "" {
			obj.SetNamespace(op.namespace)
		}
		if op.kind == opCreate {
			err = r.objects.Create(ctx, op.namespace, obj)
		} else {
			err = r.objects.Patch(ctx, op.namespace, obj)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
