package cl2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/target"
	"github.com/perflab/perflab/wait"
)

// CommandOptions are the inputs of `perflab cl2`.
type CommandOptions struct {
	Target        target.Options
	TestConfig    string
	TestOverrides []string
	ReportDir     string
	// Provider is accepted for CL2 compatibility and only logged.
	Provider string
	// EnablePrometheusServer starts a managed Prometheus scraping the
	// embedded cluster and answers APIResponsiveness from it.
	EnablePrometheusServer bool
	// PrometheusURL queries an existing Prometheus instead.
	PrometheusURL string
	// DryRun checks the config (and its templates) without running it.
	DryRun bool
	// Simulated adds the simulated-node checks to a dry run.
	Simulated bool
	// Nodes is the template variable .Nodes of a dry run (a run counts the
	// cluster's schedulable nodes).
	Nodes int
	// MaxObjects bounds the namespaces and object calls (LoadOptions).
	MaxObjects int64
}

// RunCommand is `perflab cl2`: resolve the target cluster, run the test,
// print the summary to out. The error carries the exit code: 1 for bad
// input or failed steps, 2 when a wait timed out, 4 for an SLO violation.
func RunCommand(ctx context.Context, o CommandOptions, out io.Writer) error {
	if o.TestConfig == "" {
		return exitcode.With(exitcode.Error, errors.New("--testconfig is required"))
	}
	load := LoadOptions{ConfigPath: o.TestConfig, OverridePaths: o.TestOverrides, MaxObjects: o.MaxObjects}
	if o.DryRun {
		load.Nodes = o.Nodes
		t, ps := lint(load, o.Simulated)
		for _, p := range ps {
			fmt.Fprintln(out, p.String())
		}
		if errs, _ := ps.split(); len(errs) > 0 {
			return exitcode.Quiet(exitcode.Error, fmt.Errorf("%s: %d problems", o.TestConfig, len(errs)))
		}
		fmt.Fprintf(out, "%s: ok; it would make %s\n", o.TestConfig, t.Totals)
		return nil
	}
	if o.Provider != "" {
		slog.Info("provider is informational in perflab", "provider", o.Provider)
	}
	tg, err := target.Resolve(ctx, o.Target)
	if err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	defer tg.Close()
	ro := Options{Load: load, ReportDir: o.ReportDir, RESTConfig: tg.Config, Simulated: tg.Cluster != nil, Out: out, Progress: os.Stderr}
	switch {
	case o.PrometheusURL != "":
		c, err := metrics.NewClient(metrics.Endpoint{URL: o.PrometheusURL})
		if err != nil {
			return exitcode.With(exitcode.Error, err)
		}
		ro.Prometheus = c
	case o.EnablePrometheusServer:
		if tg.Cluster == nil {
			return exitcode.With(exitcode.Error, errors.New("--enable-prometheus-server runs a Prometheus for the embedded cluster; for another cluster pass --prometheus-url"))
		}
		p, err := metrics.StartPrometheus(ctx, metrics.Options{ConfigFile: tg.Cluster.PrometheusConfig(), Addr: "127.0.0.1:0"})
		if err != nil {
			return exitcode.With(exitcode.Error, err)
		}
		defer p.Stop()
		c, err := metrics.NewClient(metrics.Endpoint{URL: p.URL()})
		if err != nil {
			return exitcode.With(exitcode.Error, err)
		}
		ro.Prometheus = c
	}
	_, err = Run(ctx, ro)
	return exitError(err)
}

// exitError maps a run's error to perflab's exit codes. The summary has
// already shown step failures and SLO verdicts, so those are quiet.
func exitError(err error) error {
	if err == nil {
		return nil
	}
	var ps Problems
	switch {
	case errors.As(err, &ps):
		return exitcode.With(exitcode.Error, err)
	case errors.Is(err, context.Canceled):
		return exitcode.With(exitcode.Interrupted, err)
	case onlyViolations(err):
		return exitcode.Quiet(exitcode.Threshold, err)
	case errors.Is(err, wait.ErrTimeout) || errors.Is(err, context.DeadlineExceeded):
		return exitcode.Quiet(exitcode.Timeout, err)
	}
	return exitcode.With(exitcode.Error, err)
}

// onlyViolations reports whether every joined error is an SLO violation.
func onlyViolations(err error) bool {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return errors.Is(err, errViolation)
	}
	for _, e := range j.Unwrap() {
		if !onlyViolations(e) {
			return false
		}
	}
	return len(j.Unwrap()) > 0
}
