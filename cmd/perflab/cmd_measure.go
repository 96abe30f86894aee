package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/target"
)

type measureOptions struct {
	config     string
	uuid       string
	job        string
	selector   string
	namespaces string
	duration   time.Duration
	metricsDir string
	runLog     runLogFlags
	target     target.Options
}

func newMeasureCommand() *cobra.Command {
	o := &measureOptions{config: "config.yml", job: "kube-burner-measure", duration: 10 * time.Minute}
	cmd := &cobra.Command{
		Use:   "measure [-c CONFIG] -l SELECTOR [--duration 10m]",
		Short: "Run a config's measurements over existing objects, without creating any (kube-burner measure)",
		Long: `Starts the measurements of the config's global.measurements (podLatency,
jobLatency, pvcLatency, serviceLatency...) on the objects -l selects, which
already exist or are created meanwhile by something else, observes them for
--duration, then writes their files (<measurement>Measurement-<job>.json and
the quantiles) to the metrics directory: --metrics-directory, else the
config's local indexer metricsDirectory, else collected-metrics-<uuid>.

Exit codes: 0 ok, 1 error, 4 a measurement threshold was exceeded,
130 interrupted.`,
		Example: `  perflab measure -c config.yml -l kube-burner.io/job=create-deployments --duration 30s`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMeasure(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.config, "config", "c", o.config, "config file whose global.measurements to run")
	uuidVar(f, &o.uuid, "UUID stamped on the documents (default: a new one)")
	f.StringVarP(&o.job, "job-name", "j", o.job, "jobName of the documents and the files' suffix")
	f.StringVarP(&o.selector, "selector", "l", "", "label selector of the objects to measure, e.g. kube-burner.io/job=create-deployments")
	f.StringVarP(&o.namespaces, "namespaces", "n", "", "the namespace to measure in (kube-burner v1.17's flag; one namespace, default all)")
	durationVar(f, &o.duration, "duration", o.duration, "how long the measurements observe the cluster")
	f.StringVar(&o.metricsDir, "metrics-directory", "", "where the files go")
	f.String("user-metadata", "", "accepted for kube-burner; perflab's measurement documents carry no user metadata")
	o.runLog.addFlags(f)
	o.target.AddFlags(f)
	return cmd
}

func runMeasure(ctx context.Context, o *measureOptions, out io.Writer) (err error) {
	if strings.Contains(o.namespaces, ",") {
		return exitcode.With(exitcode.Error, fmt.Errorf("--namespaces %q: perflab measure takes one namespace (or none for all)", o.namespaces))
	}
	if o.uuid == "" {
		o.uuid = uuid.NewString()
	}
	closeLog, err := o.runLog.open(o.uuid)
	if err != nil {
		return err
	}
	defer closeLog()
	spec, err := burner.Load(o.config, burner.LoadOptions{Vars: map[string]any{"UUID": o.uuid}})
	if err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	dir := cmp.Or(o.metricsDir, spec.LocalMetricsDirectory(), "collected-metrics-"+o.uuid)
	env, err := target.Resolve(ctx, o.target)
	if err != nil {
		return err
	}
	defer closeInto(&err, env.Close)
	_, err = burner.Measure(ctx, env, spec, burner.MeasureOptions{UUID: o.uuid, Job: o.job, Selector: o.selector,
		Namespace: o.namespaces, Duration: o.duration, MetricsDir: dir})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "measurements written to %s\n", dir)
	return err
}
