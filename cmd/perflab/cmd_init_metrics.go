package main

import (
	"context"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/runenv"
)

// startInitMetrics wires perflab init to the metrics engine: the config's
// metricsEndpoints, -e/-m/-a/-u, and a managed Prometheus when the run is on
// an embedded cluster and no Prometheus URL is given. It returns nil when
// the run asks for no metrics.
func startInitMetrics(ctx context.Context, env *runenv.Env, o metrics.RunOptions, spec *burner.Spec, uuid, dir string) (*metrics.Run, error) {
	o.MetricsDirectory = dir
	return metrics.StartRun(ctx, env, o, spec.MetricsEndpoints, uuid)
}

// initObservers adapts a metrics run to the burner's job observer.
func initObservers(r *metrics.Run) []burner.JobObserver {
	if r == nil {
		return nil
	}
	return []burner.JobObserver{metricsObserver{r}}
}

type metricsObserver struct{ r *metrics.Run }

func (m metricsObserver) JobFinished(ctx context.Context, w burner.JobWindow) error {
	return m.r.JobFinished(ctx, metrics.Window{Name: w.Name, UUID: w.UUID, Start: w.Start, End: w.End})
}
