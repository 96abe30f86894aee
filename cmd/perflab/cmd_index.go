package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/results"
)

type indexOptions struct {
	metrics.IndexOptions
	prom        promFlags
	window      windowFlags
	remote      remoteIndexerFlags
	profiles    string
	tarballName string
	indexerType string
	runLog      runLogFlags
}

func newIndexCommand() *cobra.Command {
	o := &indexOptions{profiles: "seed"}
	o.MetricsDirectory = metrics.DefaultMetricsDirectory
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Collect metric profiles from Prometheus over a past window into kube-burner JSON files",
		Long: `Runs every query of the metric profiles over [--start, --end] (range queries at
--step; instant ones at the end) and writes kube-burner's documents
{timestamp, labels, value, uuid, query, metricName, jobName} to
<metrics-directory>/<metricName>.json. Built-in profiles: ` + strings.Join(metrics.BuiltinProfiles(), ", ") + `.

Exit codes: 0 ok, 1 error (bad profile, unreachable Prometheus, rejected query).`,
		Example: `  perflab index -u http://127.0.0.1:9090 -m seed --start $(date -d '-10 min' +%s)
  perflab index -e endpoints.yml --start 2026-01-01T10:00:00Z --end 2026-01-01T10:30:00Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIndex(cmd.Context(), o) },
	}
	fs := cmd.Flags()
	o.prom.addFlags(fs)
	o.window.addFlags(fs, "kube-burner-indexing")
	fs.StringVarP(&o.profiles, "metrics-profile", "m", o.profiles, "comma-separated metric profiles: files or built-in names")
	fs.StringVarP(&o.EndpointsFile, "metrics-endpoint", "e", "", "YAML list of kube-burner metricsEndpoints (replaces -u and -m)")
	fs.StringVar(&o.MetricsDirectory, "metrics-directory", o.MetricsDirectory, "directory for the <metricName>.json files")
	fs.StringVar(&o.tarballName, "tarball-name", "", "also pack the metrics directory into this .tgz (local indexing)")
	fs.StringVar(&o.indexerType, "indexer-type", "local", "indexer type: local (JSON files; tsdb is not supported)")
	fs.String("user-metadata", "", "accepted for kube-burner; perflab's metric documents carry no user metadata")
	o.remote.addFlags(fs)
	o.runLog.addFlags(fs)
	return cmd
}

func runIndex(ctx context.Context, o *indexOptions) error {
	if o.indexerType != "local" {
		return fmt.Errorf("--indexer-type %q: perflab writes local JSON files only", o.indexerType)
	}
	o.remote.warn()
	closeLog, err := o.runLog.open(o.window.uuid)
	if err != nil {
		return err
	}
	defer closeLog()
	if err := metrics.Index(ctx, o.resolve()); err != nil {
		return err
	}
	if o.tarballName == "" {
		return nil
	}
	if err := results.Tarball(o.MetricsDirectory, o.tarballName); err != nil {
		return err
	}
	slog.Info("metrics tarball written", "file", o.tarballName)
	return nil
}

// remoteIndexerFlags are kube-burner's Elasticsearch flags: accepted, and
// results are written locally instead.
type remoteIndexerFlags struct{ server, index string }

func (r *remoteIndexerFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.server, "es-server", "", "accepted for kube-burner; perflab indexes locally only (--metrics-directory)")
	fs.StringVar(&r.index, "es-index", "", "accepted for kube-burner; perflab indexes locally only")
}

func (r *remoteIndexerFlags) warn() {
	if r.server != "" || r.index != "" {
		slog.Warn("--es-server/--es-index: perflab does not index to Elasticsearch; results are written to the local metrics directory")
	}
}

func (o *indexOptions) resolve() metrics.IndexOptions {
	o.Endpoint = o.prom.endpoint()
	o.WindowOptions = o.window.options()
	o.Profiles = strings.FieldsFunc(o.profiles, func(r rune) bool { return r == ',' || r == ' ' })
	return o.IndexOptions
}

// promFlags are the kube-burner flags naming a Prometheus server.
type promFlags struct {
	url, token, username, password string
	skipTLSVerify                  bool
}

func (p *promFlags) addFlags(fs *pflag.FlagSet) {
	p.skipTLSVerify = true
	fs.StringVarP(&p.url, "prometheus-url", "u", "", "Prometheus URL, e.g. http://127.0.0.1:9090")
	fs.StringVarP(&p.token, "token", "t", "", "Prometheus bearer token")
	fs.StringVar(&p.username, "username", "", "Prometheus basic-auth user")
	fs.StringVarP(&p.password, "password", "p", "", "Prometheus basic-auth password")
	fs.BoolVar(&p.skipTLSVerify, "skip-tls-verify", p.skipTLSVerify, "do not verify the Prometheus TLS certificate")
}

func (p *promFlags) endpoint() metrics.Endpoint {
	return metrics.Endpoint{URL: p.url, Token: p.token, Username: p.username, Password: p.password, SkipTLSVerify: p.skipTLSVerify}
}

// windowFlags select a past time window.
type windowFlags struct {
	start, end timeValue
	step       time.Duration
	uuid, job  string
}

func (w *windowFlags) addFlags(fs *pflag.FlagSet, defaultJob string) {
	w.step = metrics.DefaultStep
	fs.Var(&w.start, "start", "window start: Unix seconds or RFC 3339 (default: 1h before --end)")
	fs.Var(&w.end, "end", "window end: Unix seconds or RFC 3339 (default: now)")
	fs.DurationVarP(&w.step, "step", "s", w.step, "Prometheus range-query step")
	fs.StringVar(&w.uuid, "uuid", "", "UUID stamped on documents (default: a new one)")
	fs.StringVarP(&w.job, "job-name", "j", defaultJob, "jobName stamped on documents")
}

func (w *windowFlags) options() metrics.WindowOptions {
	end, start := time.Time(w.end), time.Time(w.start)
	if end.IsZero() {
		end = time.Now()
	}
	if start.IsZero() {
		start = end.Add(-time.Hour)
	}
	return metrics.WindowOptions{Start: start, End: end, Step: w.step, UUID: w.uuid, JobName: w.job}
}

// timeValue is a flag accepting Unix seconds (kube-burner's --start/--end)
// or an RFC 3339 time.
type timeValue time.Time

func (t *timeValue) String() string {
	if time.Time(*t).IsZero() {
		return ""
	}
	return time.Time(*t).UTC().Format(time.RFC3339)
}
func (t *timeValue) Type() string { return "time" }
func (t *timeValue) Set(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*t = timeValue(time.Unix(n, 0))
		return nil
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want Unix seconds or RFC 3339 (2006-01-02T15:04:05Z), got %q", s)
	}
	*t = timeValue(v)
	return nil
}
