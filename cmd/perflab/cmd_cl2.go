package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/cl2"
	"github.com/perflab/perflab/report"
)

func newCL2Command() *cobra.Command {
	o := &cl2.CommandOptions{}
	rr := &runReport{}
	cmd := &cobra.Command{
		Use: "cl2 --testconfig FILE",
		Example: `  perflab cl2 --testconfig examples/cl2/pod-startup/config.yaml --report-dir reports
  CL2_PODS=10 perflab cl2 --testconfig examples/cl2/pod-startup/config.yaml
  perflab cl2 --dry-run --testconfig my-test.yaml`,
		Short: "Run a ClusterLoader2 test config (PodStartupLatency, APIResponsiveness, ... SLOs)",
		Long: `Run a ClusterLoader2 test config: the config is a Go template rendered with
CL2_* environment variables and --testoverrides files, its phases create,
update and delete objects paced by CL2 tuning sets, and its measurements
are judged against CL2's SLOs. Report files (perfdash JSON named
<Summary>_<config name>_<RFC3339>.json, junit.xml, and report.html, the
results as one page with charts, unless --no-report) go to --report-dir.
Without --kubeconfig (or $KUBECONFIG, ~/.kube/config) an embedded cluster
with simulated nodes is started for the run.

Exit codes: 0 pass, 1 bad config or failed step, 2 a wait timed out,
4 an SLO was violated, 130 interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rr.start(report.ClusterLoader2)
			rr.info.Config = o.TestConfig
			if b, err := os.ReadFile(o.TestConfig); err == nil {
				rr.info.ConfigText = string(b)
			}
			err := cl2.RunCommand(cmd.Context(), *o, cmd.OutOrStdout())
			if o.DryRun {
				return err
			}
			return rr.finish(cmd.Context(), o.ReportDir, err)
		},
	}
	f := cmd.Flags()
	o.Target.AddFlags(f)
	f.StringVar(&o.TestConfig, "testconfig", "", "ClusterLoader2 test config file (required)")
	f.StringArrayVar(&o.TestOverrides, "testoverrides", nil, "YAML file of template variables (repeatable; later files win)")
	f.StringVar(&o.ReportDir, "report-dir", "", "directory for perfdash JSON files and junit.xml (none if empty)")
	f.StringVar(&o.Provider, "provider", "", "cluster provider name (accepted for CL2 compatibility, informational)")
	f.BoolVar(&o.EnablePrometheusServer, "enable-prometheus-server", false, "run a Prometheus for the embedded cluster and query it for API responsiveness")
	f.StringVar(&o.PrometheusURL, "prometheus-url", "", "query this Prometheus for API responsiveness instead of scraping /metrics")
	f.BoolVar(&o.DryRun, "dry-run", false, "check the config and its templates, print every problem with file:line, run nothing")
	f.IntVar(&o.Nodes, "nodes", 1, "with --dry-run: the template variable .Nodes (a run counts the cluster's nodes)")
	rr.AddFlags(f)
	f.BoolVar(&o.Simulated, "simulated", true, "with --dry-run: also reject what cannot work on simulated nodes (containers never run)")
	return cmd
}
