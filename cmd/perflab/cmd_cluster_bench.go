package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/clusterbench"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/report"
)

type clusterBenchOptions struct {
	cluster        cluster.Options // the knobs; Bench sets Nodes and fits MaxPods
	nodes, pods    string
	deploymentSize int
	timeout        time.Duration
	json           bool
	profile        string
	reportDir      string
}

func newClusterBenchCommand() *cobra.Command {
	o := &clusterBenchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the embedded cluster: start-up, RSS, pod throughput and API latency of --pods pods on --nodes nodes",
		Long: `Starts the embedded cluster with --nodes hollow nodes, waits until they are
Ready, creates --pods pods as Deployments of --deployment-size replicas, each in
a namespace of its own, and waits until every pod is Ready. It reports:
  start → API ready, start → nodes Ready, idle RSS (nodes Ready),
  Deployment created → all pods Ready and its pods/s,
  scheduling throughput (pods bound per second, from a pod watch), and the
  scheduler's own metrics: attempts by result, attempt p50/p99, and the pod
  scheduling SLI p99 (queue → scheduled, retries included),
  RSS loaded and peak (VmHWM) of the whole process, peak KiB per pod and
  (peak − idle) KiB per pod,
  API call latency p50/p90/p99 per verb, resource and scope during the load,
  from the API server's apiserver_request_sli_duration_seconds histogram
  (scraped before and after; quantiles interpolated as histogram_quantile
  does; WATCH and long-running calls excluded) with the SLO verdict of
  ClusterLoader2's APIResponsiveness: 1s for single-object calls, 30s for
  lists.
A progress line (pods Ready/total, rate, created, scheduled, RSS) goes to
stderr every 2s during the load.

Sizes: --nodes and --pods take comma lists zipped pairwise (a single value
pairs with each value of the other list). With more than one size, each size
runs in a fresh child process of this binary (a process holds one embedded
cluster), one after the other, and the results are collected.

--profile DIR writes pprof files per size (in DIR/NODESxPODS with several
sizes): heap-nodes-ready.pprof (after nodes Ready), cpu-load.pprof (the load
phase) and heap-loaded.pprof (all pods Ready); read them with
go tool pprof -top FILE.
--report-dir DIR writes bench.json, bench.txt (the tables) and report.html
(charts of pods/s, RSS, KiB per pod, start-up and API p99 against size, and
each size's pods over time).
The cluster flags (--max-pods, --pod-events, --apiserver-arg, ...) are those
of cluster up and go to every size; --max-pods is raised to fit the pods on
the nodes with 20% headroom.
--json prints the Result of one size, or {"results": [...]} for several.`,
		Example: `  perflab cluster bench --nodes 10 --pods 1000
  perflab cluster bench --nodes 100 --pods 10000 --json
  perflab cluster bench --nodes 10,100,1000 --pods 100,1000,10000 --report-dir bench-results
  perflab cluster bench --nodes 100 --pods 10000 --profile profiles
  perflab cluster bench --nodes 100 --pods 10000 --deployment-size 0   # one Deployment of every pod
  perflab cluster bench --nodes 1000 --pods 20000 --scheduler-default-spreading none   # A/B the scheduler's default spreading
  perflab cluster bench --nodes 5000 --pods 150000 --timeout 90m --report-dir bench-150k`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runClusterBench(cmd.Context(), o, cmd.Flags(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.nodes, "nodes", "10", "hollow nodes; a comma list for several sizes")
	fs.StringVar(&o.pods, "pods", "1000", "pods to create; a comma list for several sizes")
	fs.IntVar(&o.deploymentSize, "deployment-size", cluster.DefaultDeploymentSize, "replicas per Deployment, each Deployment in a namespace of its own (0: one Deployment of every pod, which makes the scheduler's default topology spreading cost grow with pods²)")
	durationVar(fs, &o.timeout, "timeout", 30*time.Minute, "how long to wait for every pod to be Ready (per size)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.StringVar(&o.profile, "profile", "", "write CPU (load phase) and heap (nodes Ready, loaded) pprof files into this directory")
	fs.StringVar(&o.reportDir, "report-dir", "", "write bench.json, bench.txt and report.html into this directory")
	addClusterKnobFlags(fs, &o.cluster)
	return cmd
}

func runClusterBench(ctx context.Context, o *clusterBenchOptions, fs *pflag.FlagSet, out, errOut io.Writer) error {
	sizes, err := clusterbench.ParseSizes(o.nodes, o.pods)
	if err != nil {
		return err
	}
	if err := o.cluster.Validate(); err != nil {
		return err
	}
	info := report.NewRunInfo(report.ClusterBench, "perflab "+strings.Join(os.Args[1:], " "), time.Now())
	f := clusterbench.File{Command: info.Command}
	if len(sizes) == 1 {
		var r clusterbench.Result
		if r, err = cluster.Bench(ctx, cluster.BenchOptions{Nodes: sizes[0].Nodes, Pods: sizes[0].Pods, DeploymentSize: o.deploymentSize, Timeout: o.timeout, Cluster: o.cluster, ProfileDir: o.profile, Progress: errOut}); err == nil {
			f.Results = []clusterbench.Result{r}
			for _, p := range r.Profiles {
				fmt.Fprintf(errOut, "profile: go tool pprof -top %s\n", p)
			}
		}
	} else {
		f.Results, err = benchSizes(ctx, o, fs, sizes, errOut)
	}
	if len(f.Results) == 0 {
		return err
	}
	if perr := printBench(out, f, o.json); err == nil {
		err = perr
	}
	if o.reportDir != "" {
		info.End = time.Now().UTC()
		if err != nil { // the sizes done so far, marked partial
			info.ExitCode, info.Why = exitcode.Of(err), err.Error()
			if ctx.Err() != nil && info.ExitCode == exitcode.Error {
				info.ExitCode = exitcode.Interrupted // as main decides
			}
		}
		if werr := writeBenchReport(o.reportDir, f, info, errOut); err == nil {
			err = werr
		}
	}
	return err
}

// benchSizes runs each size in a child process of this binary with the
// flags the user set (other than the sizes and the outputs).
func benchSizes(ctx context.Context, o *clusterBenchOptions, fs *pflag.FlagSet, sizes []clusterbench.Size, errOut io.Writer) ([]clusterbench.Result, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: this binary, for the child processes: %w", err)
	}
	var rs []clusterbench.Result
	for i, s := range sizes {
		fmt.Fprintf(errOut, "size %d of %d: %d nodes, %d pods (child process)\n", i+1, len(sizes), s.Nodes, s.Pods)
		r, err := clusterbench.RunChild(ctx, append([]string{exe}, benchChildArgs(fs, s, o.profile)...), errOut)
		if err != nil {
			return rs, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// benchChildArgs are the arguments of the child process that runs size s:
// one size, --json, its own profile directory, and every other flag the
// user set (the cluster knobs, --timeout).
func benchChildArgs(fs *pflag.FlagSet, s clusterbench.Size, profile string) []string {
	args := []string{"cluster", "bench", "--json", fmt.Sprintf("--nodes=%d", s.Nodes), fmt.Sprintf("--pods=%d", s.Pods)}
	fs.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "nodes", "pods", "json", "profile", "report-dir":
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				args = append(args, "--"+f.Name+"="+v)
			}
			return
		}
		args = append(args, "--"+f.Name+"="+f.Value.String())
	})
	if profile != "" {
		args = append(args, "--profile="+filepath.Join(profile, s.String()))
	}
	return args
}

func printBench(out io.Writer, f clusterbench.File, jsonOut bool) error {
	if jsonOut {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if len(f.Results) == 1 {
			return enc.Encode(f.Results[0])
		}
		return enc.Encode(f)
	}
	if len(f.Results) == 1 {
		printBenchResult(out, f.Results[0])
		fmt.Fprintln(out)
		return clusterbench.APICallsTable(f.Results[0]).Render(out)
	}
	return clusterbench.WriteTables(out, f.Results)
}

func printBenchResult(out io.Writer, r clusterbench.Result) {
	mib := func(b int64) string { return fmt.Sprintf("%d MiB", b>>20) }
	fmt.Fprintf(out, "nodes %d, pods %d\n", r.Nodes, r.Pods)
	fmt.Fprintf(out, "  start → API ready        %s\n", r.APIReady.Round(time.Millisecond))
	fmt.Fprintf(out, "  start → nodes Ready      %s\n", r.NodesReady.Round(time.Millisecond))
	fmt.Fprintf(out, "  idle RSS                 %s\n", mib(r.IdleRSSBytes))
	fmt.Fprintf(out, "  deployment → all Ready   %s (%.1f pods/s)\n", r.PodsReady.Round(time.Millisecond), r.PodsPerSecond)
	fmt.Fprintf(out, "  scheduling throughput    %.1f pods/s\n", r.SchedulingPerSec)
	fmt.Fprintf(out, "  scheduler                %d scheduled, %d unschedulable attempts; attempt p50 %s p99 %s; pod queue → scheduled p99 %s\n",
		r.Scheduler.Scheduled, r.Scheduler.Unschedulable, clusterbench.Round(r.Scheduler.AttemptP50), clusterbench.Round(r.Scheduler.AttemptP99), clusterbench.Round(r.Scheduler.PodSLIP99))
	fmt.Fprintf(out, "  RSS loaded / peak        %s / %s (%.1f KiB per pod; %.1f KiB per pod above idle)\n", mib(r.LoadedRSSBytes), mib(r.PeakRSSBytes), r.PeakKiBPerPod(), r.GrowthKiBPerPod())
	fmt.Fprintf(out, "  API calls over SLO       %d of %d\n", r.SLOViolations(), len(r.APICalls))
}

func writeBenchReport(dir string, f clusterbench.File, info report.RunInfo, errOut io.Writer) error {
	if err := clusterbench.WriteDir(dir, f); err != nil {
		return err
	}
	page, err := report.ForRun(dir, info)
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "results: %s, %s, %s\n", filepath.Join(dir, clusterbench.JSONFile), filepath.Join(dir, clusterbench.TableFile), page)
	return nil
}
