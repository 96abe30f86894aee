package burner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/wait"
)

// cleanupTimeout bounds cleanup after Ctrl-C or failure.
const cleanupTimeout = 3 * time.Minute

// cleanupPrevious deletes namespaces left by earlier runs of the same job
// (kube-burner's cleanup: true) and waits until they are gone.
func (jr *jobRun) cleanupPrevious(ctx context.Context) error {
	sel := labels.Set{kube.LabelJob: jr.job.Name}.String()
	return deleteNamespaces(ctx, jr.nsOps, jr.r.client, sel, jr.job.MaxWaitTimeout)
}

// deleteNamespaces deletes the namespaces matching sel and waits for them.
func deleteNamespaces(ctx context.Context, ops *kube.Ops, c *kube.Client, sel string, timeout time.Duration) error {
	items, err := ops.ListRefs(ctx, nsGVR, "", sel)
	if err != nil {
		return fmt.Errorf("list namespaces %s: %w", sel, err)
	}
	if len(items) == 0 {
		return nil
	}
	slog.Info(fmt.Sprintf("Deleting %d namespaces with label: %s", len(items), sel))
	bg := metav1.DeletePropagationBackground
	for _, ns := range items {
		if ns.Deleting {
			continue
		}
		if err := ops.Delete(ctx, nsGVR, "", ns.Name, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && ctx.Err() == nil {
			if !isNotFound(err) {
				return fmt.Errorf("delete namespace %s: %w", ns.Name, err)
			}
		}
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := wait.Gone(wctx, c.Dynamic, wait.Target{GVR: nsGVR, Selector: sel}, nil); err != nil {
		return fmt.Errorf("waiting for namespaces %s to go: %w", sel, err)
	}
	return nil
}

// deleteRun deletes what this run created, with its own deadline because ctx
// may already be canceled (Ctrl-C).
func (r *Runner) deleteRun(_ context.Context) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := r.deleteRunIn(ctx); err != nil {
		slog.Error("cleanup", "err", err)
	}
}

// deleteRunIn deletes the run's namespaces and its cluster-scoped objects.
func (r *Runner) deleteRunIn(ctx context.Context) error {
	ops := kube.NewOps(r.client, kube.NewLimiter(100, 100), kube.DefaultRetry, nil)
	sel := labels.Set{kube.LabelRunID: r.runID}.String()
	// Cluster-scoped objects of create jobs (namespaced ones go with their namespace).
	for i, job := range r.spec.Jobs {
		if job.JobType != CreateJob {
			continue
		}
		jr := &jobRun{r: r, job: &r.spec.Jobs[i]}
		for _, o := range job.Objects {
			if o.ObjectTemplate == "" || o.Replicas < 1 {
				continue
			}
			t, err := LoadObjectTemplate(r.spec.TemplatePath(o.ObjectTemplate), o.InputVars, true)
			if err != nil {
				continue
			}
			docs, err := t.Render(jr.vars(0, 1))
			if err != nil || len(docs) == 0 {
				continue
			}
			m, err := r.client.Map(docs[0].GetAPIVersion(), docs[0].GetKind())
			if err != nil || m.Namespaced {
				continue
			}
			items, err := ops.ListRefs(ctx, m.GVR, "", sel)
			if err != nil {
				continue
			}
			for _, it := range items {
				_ = ops.Delete(ctx, m.GVR, "", it.Name, metav1.DeleteOptions{})
			}
		}
	}
	return deleteNamespaces(ctx, ops, r.client, sel, cleanupTimeout)
}

// Destroy deletes every namespace of the run with uuid (kube-burner destroy)
// on env's cluster, by the v2 and the v1 uuid label, and waits until they
// are gone.
func Destroy(ctx context.Context, env *runenv.Env, uuid string, timeout time.Duration) (int, error) {
	c := env.Client
	ops := kube.NewOps(c, kube.NewLimiter(100, 100), kube.DefaultRetry, nil)
	n := 0
	for _, key := range []string{kube.LabelUUID, kube.LegacyLabelUUID} {
		sel := labels.Set{key: uuid}.String()
		items, err := ops.ListRefs(ctx, nsGVR, "", sel)
		if err != nil {
			return n, err
		}
		n += len(items)
		if err := deleteNamespaces(ctx, ops, c, sel, timeout); err != nil {
			return n, err
		}
	}
	return n, nil
}
