package burner

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/wait"
)

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }

// forEach runs fn over items with the job's bounded worker pool.
func (jr *jobRun) forEach(ctx context.Context, items []kube.Ref, fn func(context.Context, kube.Ref)) {
	ch := make(chan kube.Ref)
	var wg sync.WaitGroup
	for range min(jr.workers, max(len(items), 1)) {
		wg.Go(func() {
			for it := range ch {
				fn(ctx, it)
			}
		})
	}
	for i := range items {
		select {
		case ch <- items[i]:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(ch)
	wg.Wait()
}

func apiVersionOr(v string) string {
	if v == "" {
		return "v1"
	}
	return v
}

// runDelete deletes, object by object, everything matching each selector,
// then waits for it to be gone when waitForDeletion is on.
func (jr *jobRun) runDelete(ctx context.Context) error {
	bg := metav1.DeletePropagationBackground
	for _, o := range jr.job.Objects {
		m, err := jr.r.client.Map(apiVersionOr(o.APIVersion), o.Kind)
		if err != nil {
			return err
		}
		sel := labels.Set(o.LabelSelector).String()
		items, err := jr.ops.ListRefs(ctx, m.GVR, "", sel)
		if err != nil {
			return fmt.Errorf("list %s %s: %w", o.Kind, sel, err)
		}
		slog.Info(fmt.Sprintf("Deleting %d %ss with selector %s", len(items), o.Kind, sel), "job", jr.job.Name)
		jr.prog.SetTotal(jr.prog.Done() + int64(len(items)))
		jr.forEach(ctx, items, func(ctx context.Context, u kube.Ref) {
			if u.Deleting {
				jr.prog.Add(1)
				return
			}
			err := jr.ops.Delete(ctx, m.GVR, u.Namespace, u.Name, metav1.DeleteOptions{PropagationPolicy: &bg})
			switch {
			case err == nil || apierrors.IsNotFound(err):
				jr.prog.Add(1)
				slog.Debug(fmt.Sprintf("Removing %s/%s from namespace %s", o.Kind, u.Name, u.Namespace))
			case !stopped(ctx, err):
				jr.prog.AddError(1)
				jr.fail(fmt.Errorf("delete %s/%s: %w", o.Kind, u.Name, err))
			}
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if jr.job.WaitForDeletion {
			wctx, cancel := context.WithTimeout(ctx, jr.job.MaxWaitTimeout)
			_, err := wait.Gone(wctx, jr.r.client.Dynamic, wait.Target{GVR: m.GVR, Selector: sel}, func(s wait.Status) {
				slog.Debug(fmt.Sprintf("Waiting for %d %s labeled with %s to be deleted", s.Total, m.GVR.Resource, sel))
			})
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return timeoutErr(fmt.Errorf("job %s: %w", jr.job.Name, err))
			}
		}
	}
	return nil
}

// runRead lists each selector's objects and gets every one, per iteration.
func (jr *jobRun) runRead(ctx context.Context) error {
	for i := 0; i < max(jr.job.JobIterations, 1); i++ {
		for _, o := range jr.job.Objects {
			m, err := jr.r.client.Map(apiVersionOr(o.APIVersion), o.Kind)
			if err != nil {
				return err
			}
			items, err := jr.ops.ListRefs(ctx, m.GVR, "", labels.Set(o.LabelSelector).String())
			if err != nil {
				return fmt.Errorf("list %s: %w", o.Kind, err)
			}
			jr.forEach(ctx, items, func(ctx context.Context, u kube.Ref) {
				if _, err := jr.ops.Get(ctx, m.GVR, u.Namespace, u.Name); err != nil && !stopped(ctx, err) && !apierrors.IsNotFound(err) {
					jr.fail(fmt.Errorf("read %s/%s: %w", o.Kind, u.Name, err))
					jr.prog.AddError(1)
					return
				}
				jr.prog.Add(1)
			})
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if err := sleep(ctx, jr.job.JobIterationDelay); err != nil {
			return err
		}
	}
	return nil
}

func isAlreadyExists(err error) bool { return apierrors.IsAlreadyExists(err) }
