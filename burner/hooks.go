package burner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// hookSet runs one job's hooks. Foreground hooks of a stage run in order
// and a failure fails the job; background hooks of the stage are started
// first, all at once, and are waited for (their failures logged, not
// fatal) when the job ends.
type hookSet struct {
	job   string
	hooks []Hook
	env   []string

	wg     sync.WaitGroup
	mu     sync.Mutex
	bgErrs []error
}

// hooksOf is a job's hook set. Hooks see PERFLAB_UUID, PERFLAB_RUNID and
// PERFLAB_JOB, and the run's HookEnv (KUBECONFIG of the target).
func (r *Runner) hooksOf(job *Job) *hookSet {
	env := append([]string{"PERFLAB_UUID=" + r.o.UUID, "PERFLAB_RUNID=" + r.runID, "PERFLAB_JOB=" + job.Name}, r.env.HookEnv()...)
	return &hookSet{job: job.Name, hooks: job.Hooks, env: env}
}

// has tells whether any hook runs at stage.
func (h *hookSet) has(stage string) bool {
	for _, k := range h.hooks {
		if k.When == stage {
			return true
		}
	}
	return false
}

// run runs the hooks of stage.
func (h *hookSet) run(ctx context.Context, stage string) error {
	if h == nil || !h.has(stage) {
		return nil
	}
	for _, k := range h.hooks {
		if k.When != stage || !k.Background {
			continue
		}
		h.wg.Go(func() {
			if err := h.exec(ctx, stage, k); err != nil && ctx.Err() == nil {
				slog.Error("background hook failed", "job", h.job, "stage", stage, "err", err)
				h.mu.Lock()
				h.bgErrs = append(h.bgErrs, err)
				h.mu.Unlock()
			}
		})
	}
	for _, k := range h.hooks {
		if k.When != stage || k.Background {
			continue
		}
		if err := h.exec(ctx, stage, k); err != nil {
			return err
		}
	}
	return nil
}

// wait waits for the background hooks and returns their failures.
func (h *hookSet) wait() error {
	if h == nil {
		return nil
	}
	h.wg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	return errors.Join(h.bgErrs...)
}

// exec runs one hook command; its output goes to the log line by line.
func (h *hookSet) exec(ctx context.Context, stage string, k Hook) error {
	name := strings.Join(k.Cmd, " ")
	slog.Info("running hook", "job", h.job, "stage", stage, "cmd", name, "background", k.Background)
	cmd := exec.CommandContext(ctx, k.Cmd[0], k.Cmd[1:]...)
	cmd.Env = append(os.Environ(), h.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	sc := bufio.NewScanner(&out)
	var last []string
	for sc.Scan() {
		slog.Info("hook output", "job", h.job, "stage", stage, "line", sc.Text())
		last = append(last, sc.Text())
		if len(last) > 3 {
			last = last[1:]
		}
	}
	if err != nil {
		if len(last) > 0 {
			return fmt.Errorf("hook %s %q: %w: %s", stage, name, err, strings.Join(last, " / "))
		}
		return fmt.Errorf("hook %s %q: %w", stage, name, err)
	}
	return nil
}
