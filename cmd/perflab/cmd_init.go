package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/report"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/target"
)

type initOptions struct {
	config       string
	uuid         string
	timeout      time.Duration
	userData     string
	set          []string
	allowMissing bool
	metricsDir   string
	userMetadata string
	configMap    string
	cmNamespace  string
	runLog       runLogFlags
	tap          bool
	target       target.Options
	metrics      metrics.RunOptions
	ui           uiOptions
	report       runReport
}

func newInitCommand() *cobra.Command {
	o := &initOptions{timeout: burner.DefaultTimeout}
	cmd := &cobra.Command{
		Use: "init -c CONFIG",
		Example: `  perflab init -c examples/kube-burner/s1-config.yaml
  perflab init -c examples/kube-burner/s2-config.yaml --embedded-max-pods 150
  perflab init -c examples/kube-burner/s2-config.yaml --tap
  perflab init -c examples/kube-burner/s2-config.yaml --ui
  perflab init -c api-intensive.yml --kubeconfig ~/.kube/config --set jobs.0.qps=50 -m seed`,
		Short: "Run a kube-burner config (v1.17 or v2): create, patch, read and delete objects at a set rate",
		Long: `Run a kube-burner configuration unchanged. Without --kubeconfig, $KUBECONFIG or
~/.kube/config (or with --embedded) an embedded cluster is started for the run.

Results go to the metrics directory (collected-metrics-<uuid>): jobSummary.json,
podLatencyMeasurement-<job>.json, podLatencyQuantilesMeasurement-<job>.json,
the metrics files and report.html, the results as one page with charts (not
with --no-report). The run's log is kube-burner-<uuid>.log in the working
directory (--skip-log-file: none), as kube-burner writes it.

Exit codes: 0 ok, 1 error or failed verification, 2 timeout, 3 alert,
4 measurement threshold exceeded, 130 interrupted (what the run created is
deleted first when the job's cleanup is on).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInit(cmd.Context(), o, cmd.Flags().Changed("timeout"), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.config, "config", "c", "", "config file (kube-burner v1.17 or v2)")
	uuidVar(f, &o.uuid, "benchmark UUID (default: a new one)")
	durationVar(f, &o.timeout, "timeout", o.timeout, "benchmark timeout (overrides global.timeout when set)")
	f.StringVar(&o.userData, "user-data", "", "YAML file of variables for the config template")
	f.StringSliceVar(&o.set, "set", nil, "override config values after rendering: comma-separated path=value pairs, e.g. global.gc=false,jobs.0.qps=50 (repeatable); values take the type of the field")
	f.BoolVar(&o.allowMissing, "allow-missing", false, "render missing template keys as empty instead of failing")
	f.StringVar(&o.metricsDir, "metrics-directory", "", "where results go (default: the config's local indexer metricsDirectory, else collected-metrics-<uuid>)")
	f.StringVar(&o.userMetadata, "user-metadata", "", "YAML file of metadata added to every jobSummary document")
	f.StringVar(&o.configMap, "configmap", "", "ConfigMap holding config.yml and optionally metrics.yml and alerts.yml (instead of -c), written to the working directory")
	f.StringVarP(&o.cmNamespace, "namespace", "n", "default", "namespace of --configmap")
	f.Bool("skip-tls-verify", true, "accepted for kube-burner; Prometheus certificates follow each endpoint's skipTLSVerify (default true)")
	f.BoolVar(&o.tap, "tap", false, "send the job's API calls through a recording tap: calls.jsonl and calls-summary.txt in the results")
	o.runLog.addFlags(f)
	o.target.AddFlags(f)
	o.metrics.AddFlags(f)
	o.ui.addFlags(f, "ui-")
	o.report.AddFlags(f)
	cmd.MarkFlagsOneRequired("config", "configmap")
	cmd.MarkFlagsMutuallyExclusive("config", "configmap")
	return cmd
}

func runInit(ctx context.Context, o *initOptions, timeoutSet bool, stdout, stderr io.Writer) error {
	o.report.start(report.KubeBurner)
	if o.uuid == "" {
		o.uuid = uuid.NewString()
	}
	closeLog, err := o.runLog.open(o.uuid)
	if err != nil {
		return err
	}
	defer closeLog()
	var env *runenv.Env
	if o.configMap != "" {
		if env, err = target.Resolve(ctx, o.target); err != nil {
			return err
		}
		defer closeInto(&err, env.Close)
		if err := fetchConfigMap(ctx, env, o); err != nil {
			return err
		}
	}
	spec, err := burner.Load(o.config, burner.LoadOptions{UserDataFile: o.userData, Set: o.set, AllowMissing: o.allowMissing,
		Vars: map[string]any{"UUID": o.uuid}})
	if err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	var metadata map[string]any
	if o.userMetadata != "" {
		if metadata, err = burner.ReadMetadata(o.userMetadata); err != nil {
			return exitcode.With(exitcode.Error, err)
		}
	}
	if o.metricsDir == "" {
		o.metricsDir = cmp.Or(spec.LocalMetricsDirectory(), "collected-metrics-"+o.uuid)
	}
	o.report.info.UUID, o.report.info.Config = o.uuid, o.config
	if b, err := os.ReadFile(o.config); err == nil {
		o.report.info.ConfigText = string(b)
	}
	err = runInitJobs(ctx, o, env, spec, metadata, timeoutSet, stdout, stderr)
	return o.report.finish(ctx, o.metricsDir, err)
}

// runInitJobs runs the jobs on env (resolved from the flags when nil);
// everything it starts has stopped when it returns.
func runInitJobs(ctx context.Context, o *initOptions, env *runenv.Env, spec *burner.Spec, metadata map[string]any, timeoutSet bool, stdout, stderr io.Writer) (err error) {
	if env == nil {
		if env, err = target.Resolve(ctx, o.target); err != nil {
			return err
		}
		defer closeInto(&err, env.Close)
	}
	describeTarget(&o.report.info, env, o.target.Cluster)
	fmt.Fprintf(stderr, "perflab: %s\n", env.Describe())
	mrun, err := startInitMetrics(ctx, env, o.metrics, spec, o.uuid, o.metricsDir)
	if err != nil {
		return err
	}
	ro := burner.Options{UUID: o.uuid, MetricsDir: o.metricsDir, Metadata: metadata, AllowMissing: o.allowMissing, Stdout: stdout, Stderr: stderr, Observers: initObservers(mrun)}
	if o.ui.enabled {
		view, err := o.ui.start(ctx, env.Config, true, stderr)
		if err != nil {
			return errors.Join(err, mrun.Close())
		}
		ro.OnJobStart = view.TrackJob
		// Deferred before the figures, so it waits after they are taken.
		defer waitForInterrupt(ctx, stderr)
	}
	if !o.report.off {
		defer finishFigures(ctx, startFigures(ctx, env), o.metricsDir)
	}
	if timeoutSet {
		ro.Timeout = o.timeout
	}
	runEnv := env
	var tp *initTap
	if o.tap {
		if tp, err = startInitTap(ctx, env.Config, o.metricsDir, stderr); err != nil {
			return errors.Join(err, mrun.Close())
		}
		defer closeInto(&err, func() error { return tp.finish(io.Discard) })
		if runEnv, err = env.Through(tp.config(), tp.kubeconfig()); err != nil {
			return errors.Join(err, mrun.Close())
		}
	}
	r, err := burner.NewRunner(runEnv, spec, ro)
	if err != nil {
		return errors.Join(err, mrun.Close())
	}
	rep, err := r.Run(ctx)
	err = errors.Join(err, tp.finish(stdout), mrun.Close())
	if rep != nil {
		for _, j := range rep.Jobs {
			for _, d := range j.Diagnosis {
				fmt.Fprintf(stderr, "perflab: %s: %s\n", j.Name, d)
				o.report.info.Diagnosis = append(o.report.info.Diagnosis, j.Name+": "+d)
			}
		}
	}
	return err
}

// waitForInterrupt keeps the live view (and an embedded cluster) up after
// the run until Ctrl-C, so the end state can be looked at.
func waitForInterrupt(ctx context.Context, out io.Writer) {
	if ctx.Err() != nil {
		return
	}
	fmt.Fprintln(out, "perflab: run finished; the live view stays up until Ctrl-C")
	<-ctx.Done()
}

// fetchConfigMap is kube-burner's --configmap: the ConfigMap's files are
// written to the working directory; config.yml is the config, metrics.yml
// and alerts.yml (when present) the metrics and alert profiles.
func fetchConfigMap(ctx context.Context, env *runenv.Env, o *initOptions) error {
	cm, err := env.Client.Typed.CoreV1().ConfigMaps(o.cmNamespace).Get(ctx, o.configMap, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("--configmap %s/%s: %w", o.cmNamespace, o.configMap, err)
	}
	for name, data := range cm.Data {
		if name != filepath.Base(name) {
			return fmt.Errorf("--configmap %s/%s: key %q is not a file name", o.cmNamespace, o.configMap, name)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			return fmt.Errorf("--configmap: %w", err)
		}
		switch name {
		case "metrics.yml":
			o.metrics.Profiles = []string{name}
		case "alerts.yml":
			o.metrics.Alerts = []string{name}
		}
	}
	o.config = "config.yml"
	return nil
}
