package burner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/wait"
)

// churnNamespaceTimeout is how long churn waits for its deleted namespaces
// to go: kube-burner's hour, whatever the job's maxWaitTimeout.
const churnNamespaceTimeout = time.Hour

// churnLogged runs churn as kube-burner does: its errors (deletions,
// re-creations, waits) are logged and do not fail the job; only the end of
// the run (its timeout, Ctrl-C) stops it. It returns how many errors churn
// had.
func (jr *jobRun) churnLogged(ctx context.Context) int {
	jr.mu.Lock()
	kept, count := len(jr.errs), jr.errCount
	jr.mu.Unlock()
	err := jr.churn(ctx)
	jr.mu.Lock()
	errs := append([]error{}, jr.errs[kept:]...)
	n := jr.errCount - count
	jr.errs, jr.errCount = jr.errs[:kept], count
	jr.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		errs, n = append(errs, err), n+1
	}
	if n > 0 {
		slog.Error(fmt.Sprintf("churn had %d errors; as in kube-burner they do not fail the job", n), "job", jr.job.Name, "err", errors.Join(errs...))
	}
	return n
}

// churn repeatedly deletes a percentage of the job's iterations and creates
// them again (kube-burner churn): mode namespaces deletes whole namespaces,
// mode objects deletes the iterations' objects only.
func (jr *jobRun) churn(ctx context.Context) error {
	c := jr.job.EffectiveChurn()
	start := time.Now().UTC()
	jr.churnStart = &start
	defer func() { end := time.Now().UTC(); jr.churnEnd = &end }()
	slog.Info("churning", "job", jr.job.Name, "cycles", c.Cycles, "percent", c.Percent, "duration", c.Duration, "delay", c.Delay, "mode", c.Mode)
	var deadline time.Time
	if c.Duration > 0 {
		deadline = start.Add(c.Duration)
	}
	units := jr.churnUnits(c.Mode)
	if len(units) == 0 {
		slog.Info("nothing to churn", "job", jr.job.Name)
		return nil
	}
	n := max(c.Percent*len(units)/100, 1)
	for cycle := 0; c.Cycles <= 0 || cycle < c.Cycles; cycle++ {
		if !deadline.IsZero() && time.Now().After(deadline) {
			break
		}
		pick := slices.Clone(units)
		rand.Shuffle(len(pick), func(i, j int) { pick[i], pick[j] = pick[j], pick[i] })
		pick = pick[:n]
		sort.Ints(pick)
		slog.Info(fmt.Sprintf("churn cycle %d: recreating %d of %d iterations", cycle+1, len(pick), len(units)), "job", jr.job.Name)
		if err := jr.churnDelete(ctx, c.Mode, pick); err != nil {
			return err
		}
		if err := sleep(ctx, c.DeleteDelay); err != nil {
			return err
		}
		for _, it := range pick {
			if err := jr.createIterations(ctx, it, it+1); err != nil {
				return err
			}
		}
		if jr.job.WaitWhenFinished {
			if err := jr.waitAll(ctx, jr.job.MaxWaitTimeout); err != nil {
				return err
			}
		}
		if err := sleep(ctx, c.Delay); err != nil {
			return err
		}
	}
	return nil
}

// churnUnits are the iterations that can be churned: in namespace mode the
// first iteration of each namespace stands for all of it.
func (jr *jobRun) churnUnits(mode string) []int {
	var out []int
	if mode == ChurnNamespaces {
		for i := 0; i < jr.job.JobIterations; i += jr.job.IterationsPerNamespace {
			out = append(out, i)
		}
		return out
	}
	for i := 0; i < jr.job.JobIterations; i++ {
		out = append(out, i)
	}
	return out
}

func (jr *jobRun) churnDelete(ctx context.Context, mode string, iterations []int) error {
	if mode == ChurnNamespaces {
		for _, it := range iterations {
			ns := jr.namespaceFor(it)
			jr.mu.Lock()
			delete(jr.namespaces, ns)
			jr.mu.Unlock()
			if err := jr.nsOps.Delete(ctx, nsGVR, "", ns, metav1.DeleteOptions{}); err != nil && !isNotFound(err) {
				return fmt.Errorf("churn: delete namespace %s: %w", ns, err)
			}
		}
		for _, it := range iterations {
			ns := jr.namespaceFor(it)
			wctx, cancel := context.WithTimeout(ctx, churnNamespaceTimeout)
			_, err := wait.Gone(wctx, jr.r.client.Dynamic, wait.Target{GVR: nsGVR, FieldSelector: "metadata.name=" + ns}, nil)
			cancel()
			if err != nil {
				return timeoutErr(fmt.Errorf("churn: namespace %s: %w", ns, err))
			}
		}
		return nil
	}
	bg := metav1.DeletePropagationBackground
	for _, it := range iterations {
		for _, o := range jr.objs {
			if !o.cfg.Churn && jr.anyObjectChurn() {
				continue
			}
			sel := labels.Set{kube.LabelRunID: jr.r.runID, kube.LabelJob: jr.job.Name, kube.LabelIndex: itoa(o.index), kube.LabelJobIteration: itoa(it)}.String()
			items, err := jr.ops.ListRefs(ctx, o.mapping.GVR, "", sel)
			if err != nil {
				return err
			}
			for _, u := range items {
				if err := jr.ops.Delete(ctx, o.mapping.GVR, u.Namespace, u.Name, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && !isNotFound(err) {
					return fmt.Errorf("churn: delete %s/%s: %w", o.kind, u.Name, err)
				}
			}
			wctx, cancel := context.WithTimeout(ctx, jr.job.MaxWaitTimeout)
			_, err = wait.Gone(wctx, jr.r.client.Dynamic, wait.Target{GVR: o.mapping.GVR, Selector: sel}, nil)
			cancel()
			if err != nil {
				return timeoutErr(err)
			}
		}
	}
	return nil
}

func (jr *jobRun) anyObjectChurn() bool {
	for _, o := range jr.objs {
		if o.cfg.Churn {
			return true
		}
	}
	return false
}
