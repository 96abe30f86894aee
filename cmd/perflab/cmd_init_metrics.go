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
	return metrics.StartRun(ctx, env, o, configEndpoints(spec), uuid)
}

// configEndpoints converts the config's metricsEndpoints.
func configEndpoints(spec *burner.Spec) []metrics.EndpointConfig {
	var out []metrics.EndpointConfig
	for i, e := range spec.MetricsEndpoints {
		skip := e.SkipTLSVerify
		out = append(out, metrics.EndpointConfig{
			Endpoint: e.Endpoint, Token: e.Token, Username: e.Username, Password: e.Password,
			Step: e.Step, SkipTLSVerify: &skip, Metrics: e.Metrics, Alerts: e.Alerts, Alias: e.Alias,
			Indexer: metrics.IndexerConfig{Type: e.Indexer.Type, MetricsDirectory: e.Indexer.MetricsDirectory},
			Source:  metrics.Source{File: spec.File + " metricsEndpoints", Index: i + 1},
		})
	}
	return out
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
