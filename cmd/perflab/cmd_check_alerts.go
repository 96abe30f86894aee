package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/metrics"
)

type checkAlertsOptions struct {
	metrics.CheckAlertsOptions
	prom   promFlags
	window windowFlags
	remote remoteIndexerFlags
	alerts string
}

func newCheckAlertsCommand() *cobra.Command {
	o := &checkAlertsOptions{}
	cmd := &cobra.Command{
		Use:   "check-alerts",
		Short: "Evaluate kube-burner alert profiles over a past window",
		Long: `Evaluates each alert expression as a range query over [--start, --end]; every
series it returns fires once, with its description rendered ({{$labels.x}},
{{$value}}). Severities: info and warning are logged, error and critical fail.

Exit codes: 0 no error/critical alert, 1 error (bad profile, unreachable
Prometheus, rejected query), 3 an error or critical alert fired.`,
		Example: `  perflab check-alerts -u http://127.0.0.1:9090 -a alerts.yml --start $(date -d '-30 min' +%s)`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.remote.warn()
			return metrics.CheckAlerts(cmd.Context(), o.resolve())
		},
	}
	fs := cmd.Flags()
	o.prom.addFlags(fs)
	o.window.addFlags(fs, "")
	fs.StringVarP(&o.alerts, "alert-profile", "a", "", "comma-separated alert profile files")
	fs.StringVar(&o.MetricsDirectory, "metrics-directory", "", "also write fired alerts to <dir>/alert.json")
	o.remote.addFlags(fs)
	return cmd
}

func (o *checkAlertsOptions) resolve() metrics.CheckAlertsOptions {
	o.Endpoint = o.prom.endpoint()
	o.WindowOptions = o.window.options()
	o.AlertProfiles = strings.FieldsFunc(o.alerts, func(r rune) bool { return r == ',' || r == ' ' })
	return o.CheckAlertsOptions
}
