package burner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/progress"
	"github.com/perflab/perflab/results"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/wait"
)

// Options configure a run.
type Options struct {
	UUID         string        // "" → a new one
	MetricsDir   string        // "" → collected-metrics-<uuid>
	Timeout      time.Duration // overrides global.timeout when > 0
	AllowMissing bool
	Stdout       io.Writer // summary table
	Stderr       io.Writer // progress lines
	// ProgressInterval between progress lines (2s by default).
	ProgressInterval time.Duration
	Observers        []JobObserver
	// OnJobStart, when set, is given each job's progress reporter as the job
	// starts (the live view samples it).
	OnJobStart func(*progress.Reporter)
	// Retry is the retry policy for API calls (kube.DefaultRetry if zero).
	Retry kube.RetryPolicy
	// Metadata is added to every jobSummary document (--user-metadata).
	Metadata map[string]any
}

// Runner runs a loaded config against one cluster.
type Runner struct {
	spec    *Spec
	o       Options
	env     *runenv.Env
	client  *kube.Client
	runID   string
	timeout time.Duration
	out     *results.Dir
	// measurements are the configured measurements perflab runs.
	measurements []jobMeasurement
	// metadata is written into every jobSummary document: the cluster's
	// k8sVersion and totalNodes, and the user's metadata.
	metadata map[string]any
	// jobRuns holds each job's state, made once (see jobRun).
	jobRuns []*jobRun
}

// NewRunner prepares a run on the cluster of env. Nothing is created yet.
// The runner works on its own copy of spec's jobs: the caller's spec is
// not modified.
func NewRunner(env *runenv.Env, spec *Spec, o Options) (*Runner, error) {
	own := *spec
	own.Jobs = slices.Clone(spec.Jobs)
	spec = &own
	if o.UUID == "" {
		o.UUID = uuid.NewString()
	}
	if o.MetricsDir == "" {
		o.MetricsDir = "collected-metrics-" + o.UUID
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Retry == (kube.RetryPolicy{}) {
		o.Retry = kube.DefaultRetry
	}
	client, err := jobClient(env, spec.Global.RequestTimeout)
	if err != nil {
		return nil, err
	}
	r := &Runner{spec: spec, o: o, env: env, client: client, runID: uuid.NewString(), timeout: spec.Global.Timeout,
		jobRuns: make([]*jobRun, len(spec.Jobs))}
	if o.Timeout > 0 {
		r.timeout = o.Timeout
	}
	r.measurements = resolveMeasurements(measure.Default(), spec.Global.Measurements)
	if spec.Global.WaitWhenFinished {
		for i := range spec.Jobs {
			spec.Jobs[i].PodWait, spec.Jobs[i].WaitWhenFinished = false, false
		}
	}
	return r, nil
}

// UUID and RunID identify the run.
func (r *Runner) UUID() string  { return r.o.UUID }
func (r *Runner) RunID() string { return r.runID }

// Run executes every job in order, in kube-burner's order: image
// pre-loading of every create job, the cleanup of earlier runs of every
// create job with cleanup (beforeGC and afterGC hooks around it), then each
// job (its beforeCleanup hooks after it, then jobPause, then its own gc and
// afterCleanup hooks when the job has gc), then the global wait and the
// global gc. On Ctrl-C (ctx canceled) or failure it stops issuing work and,
// when the jobs' cleanup is on, deletes what this run created. The returned
// error carries the exit code (package exitcode); a canceled ctx returns
// ctx.Err().
func (r *Runner) Run(ctx context.Context) (*Report, error) {
	slog.Info("starting perflab init", "uuid", r.o.UUID, "runid", r.runID, "config", r.spec.File)
	out, err := results.NewDir(r.o.MetricsDir)
	if err != nil {
		return nil, err
	}
	r.out = out
	rctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	r.metadata = r.probe(rctx)
	rep := &Report{UUID: r.o.UUID, RunID: r.runID, MetricsDir: r.o.MetricsDir}
	cleanup := false
	for _, job := range r.spec.Jobs {
		cleanup = cleanup || (job.JobType == CreateJob && job.Cleanup)
	}
	runErr := r.beforeJobs(rctx)
	for i := 0; i < len(r.spec.Jobs) && (runErr == nil || exitcode.Of(runErr) == exitcode.Threshold); i++ {
		res := r.runJob(rctx, i)
		rep.Jobs = append(rep.Jobs, res)
		if res.Err != nil && runErr == nil {
			runErr = res.Err
		}
		if rctx.Err() != nil || (res.Err != nil && exitcode.Of(res.Err) != exitcode.Threshold) {
			break
		}
	}
	if runErr == nil && r.spec.Global.WaitWhenFinished && rctx.Err() == nil {
		runErr = r.waitAllRun(rctx)
	}
	failed := runErr != nil || rctx.Err() != nil
	switch {
	case failed && cleanup:
		slog.Warn("run did not complete; deleting what it created", "runid", r.runID)
		r.deleteRun(ctx)
	case !failed && r.spec.Global.GC:
		if err := r.globalGC(ctx); err != nil && runErr == nil {
			runErr = err
		}
	}
	if err := out.WriteJSON("jobSummary.json", r.summaries(rep)); err != nil {
		slog.Error("writing job summary", "err", err)
	}
	if err := rep.Table().Render(r.o.Stdout); err != nil {
		slog.Error("writing summary table", "err", err)
	}
	slog.Info("finished", "uuid", r.o.UUID, "metricsDirectory", r.o.MetricsDir)
	switch {
	case ctx.Err() != nil:
		if cleanup {
			return rep, fmt.Errorf("interrupted; deleted what the run created: %w", ctx.Err())
		}
		return rep, fmt.Errorf("interrupted: %w", ctx.Err())
	case errors.Is(rctx.Err(), context.DeadlineExceeded) && exitcode.Of(runErr) != exitcode.Timeout:
		return rep, exitcode.With(exitcode.Timeout, fmt.Errorf("run exceeded its timeout %s", r.timeout))
	}
	return rep, runErr
}

// beforeJobs pre-loads the images of every create job, then deletes what
// earlier runs of every create job with cleanup left, between that job's
// beforeGC and afterGC hooks (kube-burner's order).
func (r *Runner) beforeJobs(ctx context.Context) error {
	if r.spec.Global.ClusterHealth {
		if err := ClusterHealth(ctx, r.client); err != nil {
			return err
		}
		slog.Info("cluster is healthy")
	}
	for i := range r.spec.Jobs {
		if job := &r.spec.Jobs[i]; job.JobType == CreateJob && job.PreLoadImages {
			jr := r.jobRun(i)
			if err := jr.prepare(ctx); err != nil {
				return fmt.Errorf("job %s: %w", job.Name, err)
			}
			if err := jr.preload(ctx); err != nil {
				return fmt.Errorf("job %s: %w", job.Name, err)
			}
		}
	}
	for i := range r.spec.Jobs {
		job := &r.spec.Jobs[i]
		if job.JobType != CreateJob || !job.Cleanup {
			continue
		}
		err := r.withHooks(ctx, job, HookBeforeGC, HookAfterGC, func() error { return r.cleanupPrevious(ctx, job) })
		if err != nil {
			return fmt.Errorf("job %s: %w", job.Name, err)
		}
	}
	return nil
}

// withHooks runs fn between the job's before and after hooks ("" for none),
// and waits for the background hooks they started.
func (r *Runner) withHooks(ctx context.Context, job *Job, before, after string, fn func() error) error {
	h := r.hooksOf(job)
	err := h.run(ctx, before)
	if err == nil {
		err = fn()
	}
	if err == nil {
		err = h.run(ctx, after)
	}
	if werr := h.wait(); werr != nil {
		slog.Error("background hooks failed", "job", job.Name, "err", werr)
	}
	return err
}

// globalGC is global.gc: every job's objects are deleted (by job name, as
// kube-burner does); with gcMetrics each job's afterCleanup hooks run after.
func (r *Runner) globalGC(ctx context.Context) error {
	gctx, cancel := context.WithTimeout(ctx, r.gcTimeout())
	defer cancel()
	var errs []error
	for i := range r.spec.Jobs {
		if err := r.gcJob(gctx, &r.spec.Jobs[i]); err != nil {
			slog.Error("garbage collection", "job", r.spec.Jobs[i].Name, "err", err)
			if gctx.Err() != nil {
				errs = append(errs, exitcode.With(exitcode.Timeout, fmt.Errorf("garbage collection timeout reached: %w", err)))
				break
			}
		}
	}
	if r.spec.Global.GCMetrics {
		for i := range r.spec.Jobs {
			if err := r.withHooks(ctx, &r.spec.Jobs[i], "", HookAfterCleanup, func() error { return nil }); err != nil {
				errs = append(errs, fmt.Errorf("job %s: %w", r.spec.Jobs[i].Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// waitAllRun waits, at the end of all jobs, for every create job's objects
// (global waitWhenFinished).
func (r *Runner) waitAllRun(ctx context.Context) error {
	for i := range r.spec.Jobs {
		if r.spec.Jobs[i].JobType != CreateJob {
			continue
		}
		jr := r.jobRun(i)
		if err := jr.prepare(ctx); err != nil {
			return err
		}
		if err := jr.waitAll(ctx, jr.job.MaxWaitTimeout); err != nil {
			return err
		}
	}
	return nil
}

// runJob runs one job and notifies observers.
func (r *Runner) runJob(ctx context.Context, i int) JobResult {
	jr := r.jobRun(i)
	job := jr.job
	res := JobResult{Name: job.Name, Type: job.JobType, P99Ready: -1}
	slog.Info("triggering job", "job", job.Name, "type", job.JobType)
	res.Start = time.Now()
	if r.o.OnJobStart != nil {
		r.o.OnJobStart(jr.prog)
	}
	stopProg := jr.prog.Start(ctx)
	stopWatch, err := jr.startWatchers(ctx)
	if err == nil {
		err = jr.hooks.run(ctx, HookBeforeJobExecution)
	}
	if err == nil {
		switch job.JobType {
		case CreateJob:
			err = jr.runCreate(ctx, &res)
		case DeleteJob:
			err = jr.measured(ctx, &res, jr.runDelete)
		case PatchJob:
			err = jr.measured(ctx, &res, jr.runPatch)
		case ReadJob:
			err = jr.runRead(ctx)
		}
	}
	if err == nil && job.JobType != CreateJob {
		err = jr.hooks.run(ctx, HookAfterJobExecution)
	}
	if err == nil {
		err = jr.hooks.run(ctx, HookBeforeCleanup)
	}
	stopProg()
	res.End = time.Now()
	took := res.End.Sub(res.Start)
	if ctx.Err() == nil && job.JobPause > 0 {
		slog.Info("pausing after job", "job", job.Name, "pause", job.JobPause)
		_ = sleep(ctx, job.JobPause)
	}
	if job.MetricsClosing == "" || job.MetricsClosing == MetricsClosingAfterJobPause {
		res.End = time.Now()
	}
	res.Elapsed = res.End.Sub(res.Start)
	if stopWatch != nil {
		res.Watchers = stopWatch()
	}
	if err == nil && job.GC && ctx.Err() == nil {
		if err = r.gcJob(ctx, job); err == nil {
			err = jr.hooks.run(ctx, HookAfterCleanup)
		}
	}
	if herr := jr.hooks.wait(); herr != nil {
		slog.Error("background hooks failed", "job", job.Name, "err", herr)
	}
	res.Requests = jr.stats.Requests.Load()
	res.Retries = jr.stats.Retries.Load()
	res.Errors = jr.stats.Errors.Load()
	res.NotSent = jr.stats.NotSent.Load()
	res.Objects = jr.stats.Created.Load() + jr.stats.Patched.Load() + jr.stats.Deleted.Load() + jr.stats.Read.Load()
	if s := took.Seconds(); s > 0 {
		res.AchievedQPS = float64(res.Objects) / s
	}
	res.ChurnStart, res.ChurnEnd, res.ChurnErrors = jr.churnStart, jr.churnEnd, jr.churnErrors
	res.Diagnosis = jr.diagnosis
	if jerr := jr.err(); jerr != nil {
		jerr = fmt.Errorf("job %s: %w", job.Name, jerr)
		if err == nil {
			err = jerr
		} else {
			err = errors.Join(err, jerr)
		}
	}
	res.Err, res.Passed = err, err == nil
	slog.Info("job finished", "job", job.Name, "took", took.Round(time.Millisecond), "objects", res.Objects, "errors", res.Errors, "notSent", res.NotSent)
	if res.NotSent > 0 {
		slog.Warn(fmt.Sprintf("job %s: %d API calls were not sent because the run's deadline came before their turn in the rate limiter (not API errors)", job.Name, res.NotSent))
	}
	for _, o := range r.o.Observers {
		if oerr := o.JobFinished(ctx, JobWindow{Name: job.Name, UUID: r.o.UUID, Start: res.Start, End: res.End}); oerr != nil && res.Err == nil {
			res.Err, res.Passed = oerr, false
		}
	}
	return res
}

// timeoutErr marks err as a timeout when it is one.
func timeoutErr(err error) error {
	if errors.Is(err, wait.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
		return exitcode.With(exitcode.Timeout, err)
	}
	return err
}

// probe is kube-burner's cluster metadata: the server's version and the
// number of nodes, over the user's metadata. A failed probe is logged.
func (r *Runner) probe(ctx context.Context) map[string]any {
	md := maps.Clone(r.o.Metadata)
	if md == nil {
		md = map[string]any{}
	}
	if v, err := r.client.Typed.Discovery().ServerVersion(); err != nil {
		slog.Warn("cluster probe: server version", "err", err)
	} else {
		md["k8sVersion"] = v.GitVersion
	}
	nodes, err := kube.NewOps(r.client, nil, kube.DefaultRetry, nil).CountRefs(ctx, nodeGVR, "", "")
	if err != nil {
		slog.Warn("cluster probe: nodes", "err", err)
	} else {
		md["totalNodes"] = nodes
	}
	return md
}

// jobClient is the environment's shared client bundle, or one with the
// config's global.requestTimeout when it sets one.
func jobClient(env *runenv.Env, requestTimeout time.Duration) (*kube.Client, error) {
	if requestTimeout <= 0 {
		return env.Client, nil
	}
	c := rest.CopyConfig(env.Config)
	c.Timeout = requestTimeout
	return kube.NewClient(c)
}
