package main

import (
	"github.com/spf13/cobra"

	"github.com/perflab/perflab/metrics"
)

type grafanaDashboardOptions struct {
	profile string
}

func newGrafanaDashboardCommand() *cobra.Command {
	o := &grafanaDashboardOptions{profile: "seed"}
	cmd := &cobra.Command{
		Use:   "grafana-dashboard",
		Short: "Print a Grafana dashboard (JSON) with one panel per metric-profile query",
		Long: `Prints a dashboard to import into Grafana (Dashboards > New > Import), like the
seed guide's 15661 and 12006: one panel per query of the profile, against a
Prometheus data source picked at import. {{.elapsed}} becomes $__range.

Exit codes: 0 ok, 1 error (bad profile).`,
		Example: `  perflab grafana-dashboard -m seed > perflab-seed.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return metrics.WriteGrafanaDashboard(cmd.OutOrStdout(), o.profile)
		},
	}
	cmd.Flags().StringVarP(&o.profile, "metrics-profile", "m", o.profile, "metric profile: a file or a built-in name")
	return cmd
}
