package burner

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/perflab/perflab/kube"
)

// prepare parses the job's templates and maps their kinds.
func (jr *jobRun) prepare(ctx context.Context) error {
	if jr.prepared {
		return nil
	}
	job := jr.job
	for i, o := range job.Objects {
		if o.Replicas < 1 {
			slog.Warn("object has replicas < 1, skipping", "job", job.Name, "template", o.ObjectTemplate, "replicas", o.Replicas)
			continue
		}
		t, err := jr.r.spec.LoadTemplate(o.ObjectTemplate, o.InputVars, jr.r.o.AllowMissing || job.DefaultMissingKeysWithZero)
		if err != nil {
			return err
		}
		docs, err := t.Render(jr.vars(0, 1))
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return fmt.Errorf("template %s renders no object", o.ObjectTemplate)
		}
		m, err := jr.r.client.Map(docs[0].GetAPIVersion(), docs[0].GetKind())
		if err != nil {
			return fmt.Errorf("template %s: %w", o.ObjectTemplate, err)
		}
		p := &preparedObject{index: i, cfg: o, tmpl: t, mapping: m, kind: docs[0].GetKind(), fixedNS: docs[0].GetNamespace(),
			docs: len(docs), namespaced: m.Namespaced}
		for _, d := range docs {
			if d.GetKind() == p.kind {
				p.kindDocs++
			}
		}
		slog.Info(fmt.Sprintf("Job %s: %d iterations with %d %s replicas", job.Name, job.JobIterations, o.Replicas, p.kind))
		jr.objs = append(jr.objs, p)
	}
	jr.prepared = true
	return nil
}

func (jr *jobRun) vars(iteration, replica int) TemplateVars {
	return TemplateVars{Iteration: iteration, Replica: replica, JobName: jr.job.Name, UUID: jr.r.o.UUID, RunID: jr.r.runID}
}

func (jr *jobRun) nsRequired() bool {
	for _, o := range jr.objs {
		if o.namespaced && o.fixedNS == "" {
			return true
		}
	}
	return false
}

// namespaceFor is the namespace of an iteration (kube-burner's naming).
func (jr *jobRun) namespaceFor(i int) string {
	if !jr.job.NamespacedIterations {
		return jr.job.Namespace
	}
	return fmt.Sprintf("%s-%d", jr.job.Namespace, i/jr.job.IterationsPerNamespace)
}

// ensureNamespace creates ns once (AlreadyExists is fine).
func (jr *jobRun) ensureNamespace(ctx context.Context, ns string, iteration int) error {
	jr.mu.Lock()
	_, done := jr.namespaces[ns]
	jr.namespaces[ns] = append(jr.namespaces[ns], iteration)
	if !done {
		jr.nsOrder = append(jr.nsOrder, ns)
	}
	jr.mu.Unlock()
	if done {
		return nil
	}
	return jr.createNamespace(ctx, ns)
}

func (jr *jobRun) createNamespace(ctx context.Context, ns string) error {
	l := jr.runLabels()
	maps.Copy(l, jr.job.NamespaceLabels)
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
	u.SetName(ns)
	u.SetLabels(l)
	if len(jr.job.NamespaceAnnotations) > 0 {
		u.SetAnnotations(maps.Clone(jr.job.NamespaceAnnotations))
	}
	_, err := jr.nsOps.Create(ctx, nsGVR, "", u)
	if apierrors.IsAlreadyExists(err) {
		slog.Info(fmt.Sprintf("Namespace %s already exists", ns))
		return nil
	}
	if err != nil {
		return fmt.Errorf("create namespace %s: %w", ns, err)
	}
	slog.Debug("created namespace", "namespace", ns)
	return nil
}

// item is one object to create: an (object, iteration, replica) triple.
type item struct {
	obj       *preparedObject
	iteration int
	// tmplIteration is .Iteration in the template: iteration, divided by
	// the object's repeatEveryNIterations.
	tmplIteration int
	replica       int
	ns            string
	done          *sync.WaitGroup
}

// runCreate is a create job: create, wait, verify, churn, measure (image
// pre-loading and the cleanup of earlier runs come before the first job).
func (jr *jobRun) runCreate(ctx context.Context, res *JobResult) error {
	job := jr.job
	if err := jr.prepare(ctx); err != nil {
		return err
	}
	ms, err := jr.startMeasurements(ctx, jr.runSelector())
	if err != nil {
		return err
	}
	defer ms.stop()
	if job.IncrementalLoad != nil {
		if err := jr.runIncremental(ctx); err != nil {
			return err
		}
	} else if err := jr.createPhase(ctx, job.JobIterations); err != nil {
		return err
	}
	if err := jr.hooks.run(ctx, HookAfterJobExecution); err != nil {
		return err
	}
	if job.ChurnEnabled() {
		if err := jr.hooks.run(ctx, HookBeforeChurn); err != nil {
			return err
		}
		jr.churnErrors = jr.churnLogged(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := jr.hooks.run(ctx, HookAfterChurn); err != nil {
			return err
		}
	}
	return ms.collect(ctx, jr.r.out, jr.job.Name, res)
}

// createPhase creates iterations [0, n), waits for them when the job waits
// when finished, and verifies the object counts.
func (jr *jobRun) createPhase(ctx context.Context, n int) error {
	job := jr.job
	var total int64
	for _, o := range jr.objs {
		o.expected = int64(o.cfg.Replicas*o.docs) * int64(o.cfg.copies(n))
		total += o.expected
	}
	jr.prog.SetTotal(jr.prog.Done() + total)
	if err := jr.createIterations(ctx, 0, n); err != nil {
		return err
	}
	if job.WaitWhenFinished && !job.PodWait {
		if err := jr.waitAll(ctx, job.MaxWaitTimeout); err != nil {
			return err
		}
	}
	if job.VerifyObjects {
		if err := jr.verify(ctx); err != nil {
			if job.ErrorOnVerify {
				return err
			}
			slog.Error("verification failed", "job", job.Name, "err", err)
		}
	}
	return nil
}

// createIterations creates iterations [from, to) through a bounded worker
// pool fed in iteration order.
func (jr *jobRun) createIterations(ctx context.Context, from, to int) error {
	job := jr.job
	needNS := jr.nsRequired()
	if needNS && job.PreCreateNamespaces {
		for i := from; i < to; i++ {
			if err := jr.ensureNamespace(ctx, jr.namespaceFor(i), i); err != nil {
				return err
			}
		}
	}
	items := make(chan item, jr.workers*2)
	var wg sync.WaitGroup
	for range jr.workers {
		wg.Go(func() {
			for it := range items {
				jr.createItem(ctx, it)
				it.done.Done()
			}
		})
	}
	err := jr.produce(ctx, items, from, to, needNS)
	close(items)
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

func (jr *jobRun) produce(ctx context.Context, items chan<- item, from, to int, needNS bool) error {
	job := jr.job
	step := max(to-from, 1) / 10
	for i := from; i < to; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if step > 0 && (i-from)%step == 0 && i > from {
			slog.Info(fmt.Sprintf("%d/%d iterations completed", i-from, to-from), "job", job.Name)
		}
		ns := ""
		if needNS {
			ns = jr.namespaceFor(i)
			if !job.PreCreateNamespaces {
				if err := jr.ensureNamespace(ctx, ns, i); err != nil {
					return err
				}
			}
		}
		iterDone := &sync.WaitGroup{}
		for _, o := range jr.objs {
			create, tmplIter := o.cfg.creates(i)
			if !create {
				continue
			}
			for r := 1; r <= o.cfg.Replicas; r++ {
				iterDone.Add(1)
				select {
				case items <- item{obj: o, iteration: i, tmplIteration: tmplIter, replica: r, ns: ns, done: iterDone}:
				case <-ctx.Done():
					iterDone.Done()
					return ctx.Err()
				}
			}
		}
		if jr.hooks.has(HookOnEachIteration) {
			iterDone.Wait()
			if err := jr.hooks.run(ctx, HookOnEachIteration); err != nil {
				return err
			}
		}
		if job.PodWait && !job.WaitWhenFinished {
			iterDone.Wait()
			if !job.NamespacedIterations || i == to-1 || jr.namespaceFor(i+1) != ns {
				if err := jr.waitAllIn(ctx, ns, job.MaxWaitTimeout); err != nil {
					return err
				}
			}
		}
		if job.JobIterationDelay > 0 && i < to-1 {
			if err := sleep(ctx, job.JobIterationDelay); err != nil {
				return err
			}
		}
	}
	return nil
}

// createItem renders and creates one replica of an object.
func (jr *jobRun) createItem(ctx context.Context, it item) {
	if ctx.Err() != nil {
		return
	}
	docs, err := it.obj.tmpl.Render(jr.vars(it.tmplIteration, it.replica))
	if err != nil {
		jr.fail(err)
		jr.prog.AddError(1)
		return
	}
	base := kube.ObjectLabels(jr.r.o.UUID, jr.r.runID, jr.job.Name, it.obj.index, it.iteration, it.replica)
	base[kube.LabelGroup] = itoa(it.obj.cfg.Group.ID)
	for _, u := range docs {
		l := maps.Clone(base)
		maps.Copy(l, u.GetLabels()) // the template's own labels win, as in kube-burner
		u.SetLabels(l)
		setTemplateLabels(u, l)
		m := it.obj.mapping
		if u.GetKind() != it.obj.kind {
			if m, err = jr.r.client.Map(u.GetAPIVersion(), u.GetKind()); err != nil {
				jr.fail(err)
				continue
			}
		}
		ns := u.GetNamespace()
		if ns == "" && m.Namespaced {
			ns = it.ns
		}
		if !m.Namespaced {
			ns = ""
		}
		body, err := u.MarshalJSON()
		if err == nil {
			err = jr.ops.CreateJSON(ctx, m.GVR, ns, body)
		}
		switch {
		case err == nil:
			jr.prog.Add(1)
			it.obj.created.Add(1)
			slog.Debug("created", "kind", u.GetKind(), "name", u.GetName(), "namespace", ns)
		case apierrors.IsAlreadyExists(err):
			jr.prog.Add(1)
			it.obj.created.Add(1)
			slog.Error(fmt.Sprintf("%s/%s in namespace %s already exists", u.GetKind(), u.GetName(), ns))
		case stopped(ctx, err):
		default:
			jr.prog.AddError(1)
			jr.fail(fmt.Errorf("create %s/%s in %q: %w", u.GetKind(), u.GetName(), ns, err))
		}
	}
}

// templatePaths are where a kind keeps the labels kube-burner sets to the
// object's own: its pod template's, and for a StatefulSet its selector's.
// Deployment, ReplicaSet, StatefulSet and DaemonSet are kube-burner's list;
// perflab treats ReplicationController, Job and CronJob the same way so their
// pods carry the run labels too (waits, podLatency and delete jobs need them).
var templatePaths = map[string][][]string{
	"Deployment":            {podTemplateLabels},
	"ReplicaSet":            {podTemplateLabels},
	"StatefulSet":           {podTemplateLabels, {"spec", "selector", "matchLabels"}},
	"DaemonSet":             {podTemplateLabels},
	"ReplicationController": {podTemplateLabels},
	"Job":                   {podTemplateLabels},
	"CronJob":               {{"spec", "jobTemplate", "spec", "template", "metadata", "labels"}},
}

var podTemplateLabels = []string{"spec", "template", "metadata", "labels"}

// setTemplateLabels sets l, the object's labels (run labels merged with the
// template's own metadata.labels), into the object's pod template, over the
// keys already there, as kube-burner does: the pods of a Deployment labelled
// kube-burner-job: delete-me carry that label too.
func setTemplateLabels(u *unstructured.Unstructured, l map[string]string) {
	for _, path := range templatePaths[u.GetKind()] {
		cur, _, _ := unstructured.NestedStringMap(u.Object, path...)
		if cur == nil {
			cur = make(map[string]string, len(l))
		}
		maps.Copy(cur, l)
		_ = unstructured.SetNestedStringMap(u.Object, cur, path...)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
