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

// planReplicas reconciles one namespace: indices at or above desired are
// deleted (highest first), equal counts update every replica, missing
// indices are created.
func planReplicas(namespace string, current, desired int32) []replicaOp {
	var ops []replicaOp
	for i := current - 1; i >= desired; i-- {
		ops = append(ops, replicaOp{opDelete, namespace, i})
	}
	if current == desired {
		for i := int32(0); i < desired; i++ {
			ops = append(ops, replicaOp{opPatch, namespace, i})
		}
	}
	for i := current; i < desired; i++ {
		ops = append(ops, replicaOp{opCreate, namespace, i})
	}
	return ops
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

// errorList collects errors from concurrent actions.
type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorList) add(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorList) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
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
	var errs errorList
	var actions []action
	for _, ns := range r.t.phaseNamespaces(ph) {
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
		for _, op := range planReplicas(ns, current, ph.ReplicasPerNamespace) {
			actions = append(actions, func(ctx context.Context) { errs.add(r.runBundle(ctx, ph, kinds, op)) })
		}
		for _, k := range keys {
			r.state.set(k, ph.ReplicasPerNamespace)
		}
	}
	r.progress.SetTotal(r.actions.Add(int64(len(actions))))
	p.execute(ctx, actions)
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
