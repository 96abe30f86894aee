package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/client-go/discovery"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/report"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/version"
)

// runReport writes report.html next to a run's results when the run ends
// (perflab init, cl2, netperf run|lab), unless --no-report.
type runReport struct {
	off  bool
	info report.RunInfo
}

func (r *runReport) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&r.off, "no-report", false, "do not write report.html next to the results")
}

// start records the run's command line and start time.
func (r *runReport) start(kind report.Kind) {
	r.info = report.NewRunInfo(kind, strings.Join(append([]string{"perflab"}, os.Args[1:]...), " "), time.Now())
}

// finish writes dir/report.html with the run's exit code and why, logs its
// path as the run's last line, and returns runErr unchanged (a failure to
// write the page is logged, never hides the run's own result). Nothing is
// written when dir does not exist: the run ended before making it.
func (r *runReport) finish(ctx context.Context, dir string, runErr error) error {
	if r.off || dir == "" {
		return runErr
	}
	if _, err := os.Stat(dir); err != nil {
		return runErr
	}
	r.info.End = time.Now().UTC()
	r.info.ExitCode = exitcode.Of(runErr)
	if ctx.Err() != nil && r.info.ExitCode == exitcode.Error {
		r.info.ExitCode = exitcode.Interrupted
	}
	if runErr != nil {
		r.info.Why = runErr.Error()
	}
	path, err := report.ForRun(dir, r.info)
	if err != nil {
		slog.Error("report not written", "err", err)
		return runErr
	}
	slog.Info("report written", "file", path)
	return runErr
}

// describeTarget puts the target into the run's header: which cluster, its
// Kubernetes version and, for the embedded one, nodes and maxPods.
func describeTarget(info *report.RunInfo, t *runenv.Env, embedded cluster.Options) {
	info.Target = t.Name + " (" + t.Config.Host + ")"
	if t.Embedded != nil {
		info.KubernetesVersion = version.Kubernetes
		info.Nodes, info.MaxPods = max(embedded.Nodes, 1), embedded.MaxPods
		return
	}
	if dc, err := discovery.NewDiscoveryClientForConfig(t.Config); err == nil {
		if v, err := dc.ServerVersion(); err == nil {
			info.KubernetesVersion = v.GitVersion
		}
	}
}

// startFigures scrapes the API server's /metrics when a run starts, for the
// report's API figures; a cluster that refuses it only loses those.
func startFigures(ctx context.Context, t *runenv.Env) *metrics.FigureWindow {
	mt, err := metrics.RESTTarget(t.Config, "/metrics")
	if err == nil {
		var w *metrics.FigureWindow
		if w, err = metrics.StartFigureWindow(ctx, mt); err == nil {
			return w
		}
	}
	slog.Warn("no API server figures in the report", "err", err)
	return nil
}

// finishFigures writes the run's API server figures (also after Ctrl-C).
func finishFigures(ctx context.Context, w *metrics.FigureWindow, dir string) {
	if w == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := w.Finish(ctx, dir); err != nil {
		slog.Warn("no API server figures in the report", "err", err)
	}
}
