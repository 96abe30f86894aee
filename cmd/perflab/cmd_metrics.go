package main

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/target"
)

type metricsSnapshotOptions struct {
	target   target.Options
	interval time.Duration
	json     bool
}

func newMetricsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "metrics",
		Short: "Control-plane metrics without a Prometheus server",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newMetricsSnapshotCommand())
	return cmd
}

func newMetricsSnapshotCommand() *cobra.Command {
	o := &metricsSnapshotOptions{interval: 30 * time.Second}
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Scrape the API server's /metrics twice and print the seed profile's figures",
		Long: `Scrapes the API server's /metrics (which also carries etcd-client and
work-queue metrics) at the start and end of --interval and prints, for that
window, the figures of the built-in 'seed' profile computed locally: request
rates by resource/code/verb and by verb, P90 request latency by verb, P99 etcd
request latency by operation/type, work-queue depth, 4xx/5xx rates and
request counts. Quantiles use the same histogram_quantile as Prometheus.

Exit codes: 0 ok, 1 error (cluster unreachable, bad exposition).`,
		Example: `  perflab metrics snapshot --interval 1m
  perflab metrics snapshot --kubeconfig ~/.kube/config --json > figures.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMetricsSnapshot(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.target.AddFlags(cmd.Flags())
	durationVar(cmd.Flags(), &o.interval, "interval", o.interval, "time between the two scrapes")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON instead of tables")
	return cmd
}

func runMetricsSnapshot(ctx context.Context, o *metricsSnapshotOptions, out, errOut io.Writer) (err error) {
	env, err := target.Resolve(ctx, o.target)
	if err != nil {
		return err
	}
	defer closeInto(&err, env.Close)
	tgt, err := metrics.RESTTarget(env.Config, "/metrics")
	if err != nil {
		return err
	}
	return metrics.TakeSnapshot(ctx, metrics.SnapshotOptions{Targets: []metrics.Target{tgt}, Interval: o.interval, JSON: o.json, Progress: errOut}, out)
}
