package burner

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/wait"
)

// cleanupTimeout bounds cleanup after Ctrl-C or failure.
const cleanupTimeout = 3 * time.Minute

// labelled is what a label selector finds on the cluster: the namespaces
// carrying the labels, and the labelled objects outside them (in namespaces
// that existed before the run, such as default, or cluster-scoped, such as
// ClusterRoles and custom resources). Objects with an owner are left to
// their owner's garbage collection.
type labelled struct {
	sel        string
	namespaces []kube.Ref
	objects    []labelledObject
}

type labelledObject struct {
	m   kube.Mapping
	ref kube.Ref
}

// skipResources are never a run's objects.
var skipResources = []string{"events", "namespaces"}

// findLabelled lists the namespaces and objects matching sel.
func findLabelled(ctx context.Context, ops *kube.Ops, sel string) (*labelled, error) {
	ns, err := ops.ListRefs(ctx, nsGVR, "", sel)
	if err != nil {
		return nil, fmt.Errorf("list namespaces %s: %w", sel, err)
	}
	f := &labelled{sel: sel, namespaces: ns}
	inNS := make(map[string]bool, len(ns))
	for _, n := range ns {
		inNS[n.Name] = true
	}
	resources, err := ops.Client().Deletable()
	if err != nil {
		return nil, err
	}
	for _, m := range resources {
		if slices.Contains(skipResources, m.GVR.Resource) {
			continue
		}
		refs, err := ops.ListRefs(ctx, m.GVR, "", sel)
		if err != nil {
			slog.Debug("listing labelled objects", "resource", m.GVR.String(), "err", err)
			continue
		}
		for _, r := range refs {
			if !r.Owned && !inNS[r.Namespace] {
				f.objects = append(f.objects, labelledObject{m: m, ref: r})
			}
		}
	}
	return f, nil
}

// empty tells whether nothing matched.
func (f *labelled) empty() bool { return len(f.namespaces) == 0 && len(f.objects) == 0 }

// byUUID says how many namespaces and objects each run (uuid label) has.
func (f *labelled) byUUID() string {
	type count struct{ ns, obj int }
	counts := map[string]*count{}
	get := func(l map[string]string) *count {
		u := l[kube.LabelUUID]
		if u == "" {
			u = l[kube.LegacyLabelUUID]
		}
		if counts[u] == nil {
			counts[u] = &count{}
		}
		return counts[u]
	}
	for _, n := range f.namespaces {
		get(n.Labels).ns++
	}
	for _, o := range f.objects {
		get(o.ref.Labels).obj++
	}
	var parts []string
	for u, c := range counts {
		if u == "" {
			u = "(no uuid label)"
		}
		parts = append(parts, fmt.Sprintf("%s: %d namespaces, %d objects", u, c.ns, c.obj))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// remove deletes the objects and the namespaces, and polls every second
// until all are gone, deleting again what appears meanwhile (a create that
// a canceled run sent may still land), for at most timeout.
func (f *labelled) remove(ctx context.Context, ops *kube.Ops, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	kinds := map[string]kube.Mapping{}
	for _, o := range f.objects {
		kinds[o.m.GVR.String()] = o.m
	}
	bg := metav1.DeletePropagationBackground
	del := func(m kube.Mapping, r kube.Ref) error {
		err := ops.Delete(wctx, m.GVR, r.Namespace, r.Name, metav1.DeleteOptions{PropagationPolicy: &bg})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("delete %s %s/%s: %w", m.GVR.Resource, r.Namespace, r.Name, err)
		}
		return nil
	}
	nsKind := kube.Mapping{GVR: nsGVR}
	for round := 1; ; round++ {
		ns, err := ops.ListRefs(wctx, nsGVR, "", f.sel)
		if err != nil {
			return fmt.Errorf("list namespaces %s: %w", f.sel, err)
		}
		left, inNS := len(ns), make(map[string]bool, len(ns))
		for _, n := range ns {
			inNS[n.Name] = true
			if !n.Deleting {
				if err := del(nsKind, n); err != nil {
					return err
				}
			}
		}
		for _, m := range kinds {
			refs, err := ops.ListRefs(wctx, m.GVR, "", f.sel)
			if err != nil {
				return fmt.Errorf("list %s %s: %w", m.GVR.Resource, f.sel, err)
			}
			left += len(refs)
			for _, r := range refs {
				if !r.Deleting && !r.Owned && !inNS[r.Namespace] {
					if err := del(m, r); err != nil {
						return err
					}
				}
			}
		}
		if left == 0 {
			return nil
		}
		if round%10 == 0 {
			slog.Info(fmt.Sprintf("Waiting for %d namespaces and objects labelled %s to be deleted", left, f.sel))
		}
		if err := sleep(wctx, time.Second); err != nil {
			return fmt.Errorf("waiting for %d namespaces and objects labelled %s to go: %w", left, f.sel, wait.ErrTimeout)
		}
	}
}

// removeLabelled finds what sel labels, logs which runs (uuids) it belongs
// to and how many namespaces and objects, then deletes it and waits up to
// timeout. It returns how many namespaces and objects it deleted.
func removeLabelled(ctx context.Context, ops *kube.Ops, sel, why string, timeout time.Duration) (int, int, error) {
	f, err := findLabelled(ctx, ops, sel)
	if err != nil || f.empty() {
		return 0, 0, err
	}
	slog.Info(fmt.Sprintf("%s: deleting %d namespaces and %d objects labelled %s", why, len(f.namespaces), len(f.objects), sel), "uuids", f.byUUID())
	return len(f.namespaces), len(f.objects), f.remove(ctx, ops, timeout)
}

// jobSelectors select everything any run of the job created, as
// kube-burner's garbage collection does: by v2's label and by v1's (runs of
// kube-burner v1.17 carry only kube-burner-job).
func jobSelectors(job string) []string {
	return []string{labels.Set{kube.LabelJob: job}.String(), labels.Set{kube.LegacyLabelJob: job}.String()}
}

// removeAll is removeLabelled for each selector in turn.
func removeAll(ctx context.Context, ops *kube.Ops, selectors []string, why string, timeout time.Duration) (namespaces, objects int, err error) {
	for _, sel := range selectors {
		n, o, err := removeLabelled(ctx, ops, sel, why, timeout)
		namespaces, objects = namespaces+n, objects+o
		if err != nil {
			return namespaces, objects, err
		}
	}
	return namespaces, objects, nil
}

// cleanupPrevious deletes what earlier runs of the same job left (any uuid),
// as kube-burner's cleanup: true does, saying first which runs and how much.
func (r *Runner) cleanupPrevious(ctx context.Context, job *Job) error {
	_, _, err := removeAll(ctx, r.gcOps(), jobSelectors(job.Name), "cleanup of earlier runs of job "+job.Name, r.timeout)
	return err
}

// gcJob is kube-burner's garbage collection of a job: everything labelled
// with the job's name.
func (r *Runner) gcJob(ctx context.Context, job *Job) error {
	_, _, err := removeAll(ctx, r.gcOps(), jobSelectors(job.Name), "garbage collection of job "+job.Name, r.gcTimeout())
	return err
}

func (r *Runner) gcTimeout() time.Duration {
	if r.spec.Global.GCTimeout > 0 {
		return r.spec.Global.GCTimeout
	}
	return r.timeout
}

func (r *Runner) gcOps() *kube.Ops {
	return kube.NewOps(r.client, kube.NewLimiter(100, 100), kube.DefaultRetry, nil)
}

// deleteNamespaces deletes the namespaces matching sel and waits for them.
func deleteNamespaces(ctx context.Context, ops *kube.Ops, sel string, timeout time.Duration) error {
	ns, err := ops.ListRefs(ctx, nsGVR, "", sel)
	if err != nil {
		return fmt.Errorf("list namespaces %s: %w", sel, err)
	}
	if len(ns) == 0 {
		return nil
	}
	slog.Info(fmt.Sprintf("Deleting %d namespaces with label: %s", len(ns), sel))
	return (&labelled{sel: sel, namespaces: ns}).remove(ctx, ops, timeout)
}

// deleteRun deletes what this run created (its namespaces, and its objects
// in namespaces that existed before it or cluster-scoped), with its own
// deadline because ctx may already be canceled (Ctrl-C).
func (r *Runner) deleteRun(_ context.Context) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	sel := labels.Set{kube.LabelRunID: r.runID}.String()
	if _, _, err := removeLabelled(ctx, r.gcOps(), sel, "cleanup of this run", cleanupTimeout); err != nil {
		slog.Error("cleanup", "err", err)
	}
}

// Destroy deletes what the runs matching any of selectors created: their
// namespaces and their labelled objects outside them (kube-burner destroy),
// on env's cluster.
// It returns how many namespaces and objects it deleted.
func Destroy(ctx context.Context, env *runenv.Env, selectors []string, timeout time.Duration) (namespaces, objects int, err error) {
	ops := kube.NewOps(env.Client, kube.NewLimiter(100, 100), kube.DefaultRetry, nil)
	return removeAll(ctx, ops, selectors, "destroy", timeout)
}

// UUIDSelectors select a run by its uuid, with kube-burner v2's and v1's key.
func UUIDSelectors(uuid string) []string {
	return []string{labels.Set{kube.LabelUUID: uuid}.String(), labels.Set{kube.LegacyLabelUUID: uuid}.String()}
}

// JobSelectors select every run of the config's jobs by job name, as
// kube-burner v2's destroy -c does (v1's job label too).
func (s *Spec) JobSelectors() []string {
	var out []string
	for _, j := range s.Jobs {
		out = append(out, jobSelectors(j.Name)...)
	}
	return out
}
