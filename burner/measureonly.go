package burner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/results"
	"github.com/perflab/perflab/runenv"
)

// MeasureOptions are kube-burner measure's inputs.
type MeasureOptions struct {
	UUID string
	// Job names the documents (kube-burner's default kube-burner-measure).
	Job string
	// Selector selects the objects measured (-l); Namespace narrows them
	// to one namespace ("" for all).
	Selector, Namespace string
	// Duration is how long the measurements observe the cluster.
	Duration time.Duration
	// MetricsDir is where the files go.
	MetricsDir string
}

// Measure runs the config's global measurements over the objects the
// selector matches, without creating anything (kube-burner measure): the
// measurements start (their informers list what exists), observe for
// Duration, and their files are written to MetricsDir as a create job's
// would be. An exceeded threshold returns exit code 4.
func Measure(ctx context.Context, env *runenv.Env, spec *Spec, o MeasureOptions) (*JobResult, error) {
	ms := resolveMeasurements(measure.Default(), spec.Global.Measurements)
	if len(ms) == 0 {
		return nil, fmt.Errorf("%s: no measurement perflab runs in global.measurements", spec.File)
	}
	dir, err := results.NewDir(o.MetricsDir)
	if err != nil {
		return nil, err
	}
	res := &JobResult{Name: o.Job, Type: CreateJob, P99Ready: -1, Start: time.Now()}
	run, err := startMeasurements(ctx, ms, env.Client.Typed, measure.Selector{Labels: o.Selector, Namespace: o.Namespace}, o.UUID, o.Job, CreateJob)
	if err != nil {
		return nil, err
	}
	defer run.stop()
	slog.Info(fmt.Sprintf("Running measurements for %s", o.Duration), "selector", o.Selector)
	if err := sleep(ctx, o.Duration); err != nil {
		return nil, err
	}
	err = run.collect(ctx, dir, o.Job, res)
	res.End = time.Now()
	res.Elapsed = res.End.Sub(res.Start)
	res.Err, res.Passed = err, err == nil
	return res, err
}
