package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/cl2"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/report"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/target"
	"github.com/perflab/perflab/wait"
)

// cl2Options are the flags of perflab cl2.
type cl2Options struct {
	target        target.Options
	testConfig    string
	testOverrides []string
	reportDir     string
	// provider is accepted for CL2 compatibility and only logged.
	provider               string
	enablePrometheusServer bool
	prometheusURL          string
	dryRun                 bool
	simulated              bool
	nodes                  int
	nodesSet               bool
	maxObjects             int64
	compat                 func() error
	report                 runReport
}

func newCL2Command() *cobra.Command {
	o := &cl2Options{}
	cmd := &cobra.Command{
		Use: "cl2 --testconfig FILE",
		Example: `  perflab cl2 --testconfig examples/cl2/pod-startup/config.yaml --report-dir reports
  CL2_PODS=10 perflab cl2 --testconfig examples/cl2/pod-startup/config.yaml
  perflab cl2 --dry-run --testconfig my-test.yaml   # problems and the totals it would create`,
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
			if err := o.compat(); err != nil {
				return err
			}
			o.nodesSet = cmd.Flags().Changed("nodes")
			return runCL2(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	o.compat = addCL2CompatFlags(f)
	o.target.AddFlags(f)
	f.StringVar(&o.testConfig, "testconfig", "", "ClusterLoader2 test config file (required)")
	f.StringArrayVar(&o.testOverrides, "testoverrides", nil, "YAML file of template variables (repeatable; later files win)")
	f.StringVar(&o.reportDir, "report-dir", "", "directory for perfdash JSON files and junit.xml (none if empty)")
	f.StringVar(&o.provider, "provider", "", "cluster provider name (accepted for CL2 compatibility, informational)")
	f.BoolVar(&o.enablePrometheusServer, "enable-prometheus-server", false, "run a Prometheus for the embedded cluster and query it for API responsiveness")
	f.StringVar(&o.prometheusURL, "prometheus-url", "", "query this Prometheus for API responsiveness instead of scraping /metrics")
	f.BoolVar(&o.dryRun, "dry-run", false, "check the config and its templates, print every problem with file:line, run nothing")
	f.IntVar(&o.nodes, "nodes", 1, "the template variable .Nodes, as CL2's --nodes (default: a run counts the cluster's schedulable nodes; a dry run takes 1)")
	f.Int64Var(&o.maxObjects, "max-objects", cl2.DefaultMaxObjects, "refuse a config that would make more namespaces and object calls than this, before anything is created (-1: no limit)")
	o.report.AddFlags(f)
	f.BoolVar(&o.simulated, "simulated", true, "with --dry-run: also reject what cannot work on simulated nodes (containers never run)")
	return cmd
}

// runCL2 checks the config (--dry-run) or runs it on the target cluster,
// prints the summary to out and writes report.html.
func runCL2(ctx context.Context, o *cl2Options, out io.Writer) error {
	o.report.start(report.ClusterLoader2)
	o.report.info.Config = o.testConfig
	if b, err := os.ReadFile(o.testConfig); err == nil {
		o.report.info.ConfigText = string(b)
	}
	if o.testConfig == "" {
		return exitcode.With(exitcode.Error, errors.New("--testconfig is required"))
	}
	load := cl2.LoadOptions{ConfigPath: o.testConfig, OverridePaths: o.testOverrides, MaxObjects: o.maxObjects}
	if o.nodesSet {
		load.Nodes = o.nodes
	}
	if o.dryRun {
		load.Nodes = o.nodes
		return exitcode.Quiet(exitcode.Error, cl2.CheckConfig(load, o.simulated, out))
	}
	if o.provider != "" {
		slog.Info("provider is informational in perflab", "provider", o.provider)
	}
	return o.report.finish(ctx, o.reportDir, runCL2Test(ctx, o, load, out))
}

// runCL2Test runs the test on the target; everything it starts has stopped
// when it returns.
func runCL2Test(ctx context.Context, o *cl2Options, load cl2.LoadOptions, out io.Writer) (err error) {
	env, err := target.Resolve(ctx, o.target)
	if err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	defer closeInto(&err, env.Close)
	describeTarget(&o.report.info, env, o.target.Cluster)
	if err := cl2Prometheus(ctx, env, o); err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	if !o.report.off && o.reportDir != "" {
		defer finishFigures(ctx, startFigures(ctx, env), o.reportDir)
	}
	_, err = cl2.Run(ctx, cl2.Options{Load: load, ReportDir: o.reportDir, Env: env, Out: out, Progress: os.Stderr})
	return cl2ExitError(err)
}

// cl2Prometheus gives env the Prometheus that answers APIResponsiveness:
// --prometheus-url, or with --enable-prometheus-server one perflab runs for
// the embedded cluster.
func cl2Prometheus(ctx context.Context, env *runenv.Env, o *cl2Options) error {
	switch {
	case o.prometheusURL != "":
		env.Prometheus = &runenv.Prometheus{URL: o.prometheusURL}
	case o.enablePrometheusServer:
		if err := metrics.StartEnvPrometheus(ctx, env, "127.0.0.1:0"); errors.Is(err, metrics.ErrNotEmbedded) {
			return errors.New("--enable-prometheus-server runs a Prometheus for the embedded cluster; for another cluster pass --prometheus-url")
		} else if err != nil {
			return err
		}
	}
	return nil
}

// cl2ExitError maps a run's error to perflab's exit codes. The summary has
// already shown step failures and SLO verdicts, so those are quiet.
func cl2ExitError(err error) error {
	if err == nil {
		return nil
	}
	var ps cl2.Problems
	switch {
	case errors.As(err, &ps):
		return exitcode.With(exitcode.Error, err)
	case errors.Is(err, context.Canceled):
		return exitcode.With(exitcode.Interrupted, err)
	case cl2.OnlyViolations(err):
		return exitcode.Quiet(exitcode.Threshold, err)
	case errors.Is(err, wait.ErrTimeout) || errors.Is(err, context.DeadlineExceeded):
		return exitcode.Quiet(exitcode.Timeout, err)
	}
	return exitcode.With(exitcode.Error, err)
}
