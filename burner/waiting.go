package burner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/wait"
)

var (
	nsGVR   = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	nodeGVR = schema.GroupVersionResource{Version: "v1", Resource: "nodes"}
)

// waitTarget is what one prepared object waits for.
func (jr *jobRun) waitTarget(o *preparedObject, ns string) (wait.Target, bool, error) {
	if !o.cfg.Wait {
		return wait.Target{}, false, nil
	}
	wo := o.cfg.WaitOptions
	kind, m := o.kind, o.mapping
	sel := labels.Set{kube.LabelRunID: jr.r.runID, kube.LabelJob: jr.job.Name, kube.LabelIndex: itoa(o.index)}
	// Wait for the copies that exist: failed creates are reported as errors.
	expected := int(min(o.created.Load(), o.expected) * int64(o.kindDocs) / int64(o.docs))
	if ns != "" {
		expected = 0
	}
	if wo.Kind != "" {
		var err error
		kind = wo.Kind
		if m, err = jr.r.client.Map(wo.APIVersion, wo.Kind); err != nil {
			return wait.Target{}, false, err
		}
		sel = labels.Set{kube.LabelRunID: jr.r.runID}
		expected = 0
	}
	if len(wo.LabelSelector) > 0 {
		sel = labels.Set(maps.Clone(wo.LabelSelector))
	}
	var pred wait.Predicate
	if len(wo.CustomStatusPaths) > 0 {
		p, err := wait.CustomStatus(wo.CustomStatusPaths)
		if err != nil {
			return wait.Target{}, false, err
		}
		pred = p
	} else {
		p, ok := wait.ForKind(kind)
		if !ok {
			return wait.Target{}, false, nil
		}
		pred = p
	}
	if !m.Namespaced {
		ns = ""
	}
	return wait.Target{GVR: m.GVR, Namespace: ns, Selector: sel.String(), Ready: pred, Expected: expected}, true, nil
}

// waitAll waits for every object of the job, in all namespaces, to be ready.
func (jr *jobRun) waitAll(ctx context.Context, timeout time.Duration) error {
	return jr.waitAllIn(ctx, "", timeout)
}

// waitAllIn waits for the job's objects in ns ("" all) with one informer per
// object kind, not per namespace.
func (jr *jobRun) waitAllIn(ctx context.Context, ns string, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type slot struct{ ready, total atomic.Int64 }
	var targets []wait.Target
	for _, o := range jr.objs {
		t, ok, err := jr.waitTarget(o, ns)
		if err != nil {
			return err
		}
		if ok {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	if ns == "" {
		slog.Info(fmt.Sprintf("Waiting up to %s for actions to be completed", timeout), "job", jr.job.Name)
	}
	slots := make([]slot, len(targets))
	report := func() {
		var r, t int64
		for i := range slots {
			r += slots[i].ready.Load()
			t += slots[i].total.Load()
		}
		jr.prog.SetReady(r, t)
	}
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			_, errs[i] = wait.Until(wctx, jr.r.client.Dynamic, t, func(s wait.Status) {
				slots[i].ready.Store(int64(s.Ready))
				slots[i].total.Store(int64(s.Total))
				report()
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			if ctx.Err() != nil {
				// The run's own timeout also leaves pods to explain;
				// Ctrl-C does not wait for an explanation.
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), diagnoseTimeout)
					jr.diagnose(dctx)
					cancel()
				}
				return ctx.Err()
			}
			jr.timedOut = true
			jr.diagnose(ctx)
			return timeoutErr(fmt.Errorf("job %s: %w", jr.job.Name, err))
		}
	}
	if ns == "" {
		slog.Info("actions completed", "job", jr.job.Name)
	}
	return nil
}

// verify counts each object's copies against what the job should have made.
func (jr *jobRun) verify(ctx context.Context) error {
	var bad []string
	for _, o := range jr.objs {
		sel := labels.Set{kube.LabelRunID: jr.r.runID, kube.LabelJob: jr.job.Name, kube.LabelIndex: itoa(o.index)}.String()
		n, err := jr.ops.CountRefs(ctx, o.mapping.GVR, "", sel)
		if err != nil {
			return fmt.Errorf("verify %s: %w", o.kind, err)
		}
		want := o.expected / int64(o.docs) * int64(o.kindDocs)
		if int64(n) != want {
			bad = append(bad, fmt.Sprintf("%s: found %d, want %d", o.kind, n, want))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("job %s: object verification failed: %v", jr.job.Name, bad)
	}
	slog.Info("all objects verified", "job", jr.job.Name)
	return nil
}
