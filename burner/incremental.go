package burner

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// incrementalSteps is the cumulative iteration count of each step of an
// incremental create job. The first step runs startIterations (default
// jobIterations); the last reaches totalIterations (default the start).
// Linear steps add stepSize (default 1), made smaller when that would give
// fewer than minSteps steps after the first; exponential steps
// multiply the total by base (default 2), after warmupSteps steps that add
// startIterations each, and never add more than maxIncrease.
func incrementalSteps(jobIterations int, il *IncrementalLoad) []int {
	start := il.StartIterations
	if start <= 0 {
		start = jobIterations
	}
	total := max(il.TotalIterations, start)
	if total <= 0 {
		return nil
	}
	start = min(start, total)
	steps := []int{start}
	switch il.Pattern.Type {
	case PatternExponential:
		base, warmup, maxInc := 2.0, 0, 0
		if e := il.Pattern.Exponential; e != nil {
			if e.Base > 0 {
				base = e.Base
			}
			warmup, maxInc = e.WarmupSteps, e.MaxIncrease
		}
		for cur := start; cur < total; {
			inc := start
			if len(steps) > warmup {
				inc = max(int(math.Round(float64(cur)*base))-cur, 1)
			}
			if maxInc > 0 {
				inc = min(inc, maxInc)
			}
			cur = min(cur+inc, total)
			steps = append(steps, cur)
		}
	default:
		step := 1
		if l := il.Pattern.Linear; l != nil {
			step = max(l.StepSize, 1)
			if remaining := total - start; l.MinSteps > 0 && ceilDiv(remaining, step) < l.MinSteps {
				step = max(ceilDiv(remaining, l.MinSteps), 1)
			}
		}
		for cur := start; cur < total; {
			cur = min(cur+step, total)
			steps = append(steps, cur)
		}
	}
	return steps
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// runIncremental runs each step of an incremental create job as a whole
// create phase of that many iterations (create, wait, verify), then the
// health check; between steps it deletes what the step created and waits
// stepDelay. The last step's objects stay, for churn, later jobs and the
// run's gc like any create job's.
func (jr *jobRun) runIncremental(ctx context.Context) error {
	il := jr.job.IncrementalLoad
	steps := incrementalSteps(jr.job.JobIterations, il)
	slog.Info(fmt.Sprintf("Job %s: incremental load in %d steps: %s", jr.job.Name, len(steps), joinInts(steps)))
	for k, n := range steps {
		start := time.Now()
		slog.Info("incremental step", "job", jr.job.Name, "step", k+1, "of", len(steps), "iterations", n)
		if err := jr.createPhase(ctx, n); err != nil {
			return fmt.Errorf("incremental step %d (%d iterations): %w", k+1, n, err)
		}
		if err := jr.healthCheck(ctx, il.HealthCheckScript); err != nil {
			return fmt.Errorf("incremental step %d (%d iterations): %w", k+1, n, err)
		}
		slog.Info("incremental step done", "job", jr.job.Name, "step", k+1, "iterations", n, "took", time.Since(start).Round(time.Millisecond))
		if k == len(steps)-1 {
			break
		}
		if err := jr.deleteOwn(ctx); err != nil {
			return fmt.Errorf("incremental step %d: garbage collection: %w", k+1, err)
		}
		if err := sleep(ctx, il.StepDelay); err != nil {
			return err
		}
	}
	return nil
}

// healthCheck runs the step's health-check script (with sh; non-zero exit
// fails), or else kube-burner's cluster health check.
func (jr *jobRun) healthCheck(ctx context.Context, script string) error {
	if script != "" {
		// A file (relative to the config) runs with sh; anything else is a
		// shell command line.
		cmd := exec.CommandContext(ctx, "sh", "-c", script)
		if path := jr.r.spec.TemplatePath(script); fileExists(path) {
			cmd = exec.CommandContext(ctx, "sh", path)
		}
		cmd.Env = append(os.Environ(), jr.hooks.env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("health check %s: %w: %s", script, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	return ClusterHealth(ctx, jr.r.client)
}

// deleteOwn deletes what this job created in this run: objects outside the
// job's namespaces first, then the namespaces; it waits for the namespaces
// to go, so the next step starts from an empty slate.
func (jr *jobRun) deleteOwn(ctx context.Context) error {
	sel := jr.runSelector()
	for _, o := range jr.objs {
		if o.namespaced && o.fixedNS == "" {
			continue // goes with its namespace
		}
		items, err := jr.ops.ListRefs(ctx, o.mapping.GVR, "", sel)
		if err != nil {
			return fmt.Errorf("list %s: %w", o.kind, err)
		}
		for _, it := range items {
			if err := jr.ops.Delete(ctx, o.mapping.GVR, it.Namespace, it.Name, metav1.DeleteOptions{}); err != nil && !isNotFound(err) {
				return fmt.Errorf("delete %s/%s: %w", o.kind, it.Name, err)
			}
		}
	}
	if err := deleteNamespaces(ctx, jr.nsOps, sel, jr.job.MaxWaitTimeout); err != nil {
		return err
	}
	jr.mu.Lock()
	jr.namespaces, jr.nsOrder = map[string][]int{}, nil
	jr.mu.Unlock()
	for _, o := range jr.objs {
		o.created.Store(0)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, " → ")
}
