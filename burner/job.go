package burner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/progress"
)

// preparedObject is a job object resolved against the cluster.
type preparedObject struct {
	index      int
	cfg        Object
	tmpl       *ObjectTemplate
	mapping    kube.Mapping
	kind       string
	fixedNS    string // namespace set in the template itself
	docs       int    // documents per rendering
	kindDocs   int    // of which have the first document's kind
	expected   int64
	created    atomic.Int64 // copies that exist (created or already there)
	namespaced bool
}

// jobRun is one job's execution state.
type jobRun struct {
	r     *Runner
	job   *Job
	index int
	ops   *kube.Ops // the job's token bucket governs every object call
	nsOps *kube.Ops // namespace lifecycle, its own bucket of the same size (as kube-burner's clientset)
	stats kube.Stats
	prog  *progress.Reporter
	objs  []*preparedObject
	// prepared tells that prepare has run (objs may be empty).
	prepared bool
	workers  int

	mu         sync.Mutex
	errs       []error
	errCount   int
	namespaces map[string][]int // namespace → iterations it holds
	nsOrder    []string
	churnStart *time.Time
	churnEnd   *time.Time
	diagnosis  []string
	timedOut   bool
	// churnErrors are the errors churn logged (they do not fail the job).
	churnErrors int
	hooks       *hookSet
}

const maxStoredErrors = 10

func (jr *jobRun) fail(err error) {
	jr.mu.Lock()
	defer jr.mu.Unlock()
	jr.errCount++
	if len(jr.errs) < maxStoredErrors {
		jr.errs = append(jr.errs, err)
	}
}

func (jr *jobRun) err() error {
	jr.mu.Lock()
	defer jr.mu.Unlock()
	if len(jr.errs) == 0 {
		return nil
	}
	e := errors.Join(jr.errs...)
	if jr.errCount > len(jr.errs) {
		return fmt.Errorf("%w (and %d more errors)", e, jr.errCount-len(jr.errs))
	}
	return e
}

func (jr *jobRun) runLabels() map[string]string {
	return kube.RunLabels(jr.r.o.UUID, jr.r.runID, jr.job.Name)
}

// runSelector selects everything this job of this run created.
func (jr *jobRun) runSelector() string {
	return labels.SelectorFromSet(labels.Set{kube.LabelRunID: jr.r.runID, kube.LabelJob: jr.job.Name}).String()
}

// jobRun is job idx's state for this run: made on first use (image
// pre-loading, the job itself or the global wait) and kept, so its rate
// limiter, progress and prepared templates exist once per job.
func (r *Runner) jobRun(idx int) *jobRun {
	if r.jobRuns[idx] == nil {
		r.jobRuns[idx] = newJobRun(r, idx)
	}
	return r.jobRuns[idx]
}

func newJobRun(r *Runner, idx int) *jobRun {
	job := &r.spec.Jobs[idx]
	qps, burst := job.QPS, job.Burst
	if qps <= 0 {
		slog.Warn("invalid QPS; using default", "job", job.Name, "qps", qps, "default", kube.DefaultQPS)
		qps = kube.DefaultQPS
	}
	if burst <= 0 {
		slog.Warn("invalid Burst; using default", "job", job.Name, "burst", burst, "default", kube.DefaultBurst)
		burst = kube.DefaultBurst
	}
	if job.MaxWaitTimeout == 0 {
		job.MaxWaitTimeout = r.timeout
	}
	slog.Info("job rate", "job", job.Name, "qps", qps, "burst", burst)
	jr := &jobRun{r: r, job: job, index: idx, namespaces: map[string][]int{}}
	retry := r.o.Retry
	retry.Deadline = job.MaxWaitTimeout
	jr.ops = kube.NewOps(r.client, kube.NewLimiter(qps, burst), retry, &jr.stats)
	jr.nsOps = kube.NewOps(r.client, kube.NewLimiter(qps, burst), retry, nil)
	jr.workers = min(max(burst, 4), 100)
	jr.hooks = r.hooksOf(job)
	jr.prog = progress.New(progress.Options{Name: job.Name, Out: r.o.Stderr, Interval: r.o.ProgressInterval})
	return jr
}

// stopped tells whether err is a call that did not happen because the run
// is ending: ctx is done, or the call's turn came after its deadline.
func stopped(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, kube.ErrNotSent)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
