package main

import (
	"context"
	"os"
	"slices"

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
	return metrics.StartRun(ctx, env, o, configEndpoints(spec), uuid)
}

// configEndpoints are the config's metricsEndpoints with profile paths
// resolved as the config's other files are.
func configEndpoints(spec *burner.Spec) []metrics.EndpointConfig {
	eps := slices.Clone(spec.MetricsEndpoints)
	for i := range eps {
		eps[i].Metrics, eps[i].Alerts = resolveProfiles(spec, eps[i].Metrics), resolveProfiles(spec, eps[i].Alerts)
	}
	return eps
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

// resolveProfiles resolves profile files as object templates are (the
// working directory, then the config's directory); names that are no file
// there (built-in profiles such as seed) stay as given.
func resolveProfiles(spec *burner.Spec, names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if p := spec.Resolve(n); fileExists(p) {
			n = p
		}
		out = append(out, n)
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
