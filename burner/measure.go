package burner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/results"
)

// jobMeasurement is a configured measurement that perflab runs.
type jobMeasurement struct {
	entry measure.Entry
	cfg   *Measurement
}

// resolveMeasurements looks the configured measurements up in the
// registry; the ones perflab does not run are warned about once each.
func resolveMeasurements(reg *measure.Registry, ms []Measurement) []jobMeasurement {
	var out []jobMeasurement
	for i, m := range ms {
		e, ok := reg.Lookup(measure.KubeBurner, m.Name)
		switch {
		case !ok:
			slog.Warn(fmt.Sprintf("Measurement [%s] is not supported", m.Name))
		case e.Kind != measure.Measured:
			slog.Warn(fmt.Sprintf("Measurement [%s] is not supported: %s", m.Name, e.Why))
		default:
			out = append(out, jobMeasurement{entry: e, cfg: &ms[i]})
		}
	}
	return out
}

// started is one measurement a job started.
type started struct {
	name string
	m    measure.Measurement
}

// running are a job's started measurements.
type running []started

// measured runs a delete or patch job between starting and collecting its
// measurements, which watch every object of the benchmark (its uuid).
func (jr *jobRun) measured(ctx context.Context, res *JobResult, run func(context.Context) error) error {
	ms, err := jr.startMeasurements(ctx, labels.SelectorFromSet(labels.Set{kube.LabelUUID: jr.r.o.UUID}).String())
	if err != nil {
		return err
	}
	defer ms.stop()
	if err := run(ctx); err != nil {
		return err
	}
	return ms.collect(ctx, jr.r.out, jr.job.Name, res)
}

// startMeasurements starts the measurements that run in jobs of the job's
// type, watching the objects sel selects.
func (jr *jobRun) startMeasurements(ctx context.Context, sel string) (running, error) {
	return startMeasurements(ctx, jr.r.measurements, jr.r.client.Typed, measure.Selector{Labels: sel}, jr.r.o.UUID, jr.job.Name, jr.job.JobType)
}

// startMeasurements starts the measurements ms that run in jobs of type
// jobType, watching the objects sel selects.
func startMeasurements(ctx context.Context, ms []jobMeasurement, client kubernetes.Interface, sel measure.Selector, uuid, job string, jobType JobType) (running, error) {
	var out running
	for _, jm := range ms {
		if !jm.entry.RunsIn(string(jobType)) {
			slog.Warn(fmt.Sprintf("Skipped measurement [%s] not compatible with job type %s", jm.cfg.Name, jobType))
			continue
		}
		m, err := jm.entry.New(measure.Config{
			Name: jm.cfg.Name, Client: client, Clock: clock.RealClock{},
			Selector: sel, Params: measure.NoParams{},
			UUID: uuid, Job: job, JobType: string(jobType), Thresholds: jm.cfg.Thresholds,
		})
		if err == nil {
			err = m.Start(ctx)
		}
		if err != nil {
			out.stop()
			return nil, fmt.Errorf("measurement %s: %w", jm.cfg.Name, err)
		}
		out = append(out, started{jm.cfg.Name, m})
	}
	return out, nil
}

func (rs running) stop() {
	for _, r := range rs {
		r.m.Stop()
	}
}

// collect collects every measurement, writes its files, logs its quantiles
// and judges its thresholds; exceeded thresholds fail the job with exit
// code Threshold.
func (rs running) collect(ctx context.Context, dir *results.Dir, job string, res *JobResult) error {
	defer rs.stop()
	var failed []error
	for _, r := range rs {
		out, err := r.m.Collect(ctx, measure.NoParams{})
		if err != nil {
			return fmt.Errorf("measurement %s: %w", r.name, err)
		}
		for _, f := range out.Files {
			if err := dir.WriteJSON(f.Name+".json", f.Data); err != nil {
				return err
			}
		}
		for _, q := range out.Quantiles {
			if q.MetricName == measure.PodLatencyQuantilesMetric && q.QuantileName == measure.CondReady {
				res.P99Ready = time.Duration(q.P99) * time.Millisecond
			}
			slog.Info(fmt.Sprintf("%s: %s 99th: %dms max: %dms avg: %dms", job, q.QuantileName, q.P99, q.Max, q.Avg))
		}
		for _, c := range measure.Failed(out.Checks) {
			failed = append(failed, errors.New(c.Detail))
		}
	}
	if len(failed) > 0 {
		return exitcode.With(exitcode.Threshold, errors.Join(failed...))
	}
	return nil
}
