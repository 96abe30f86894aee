package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/internal/pprofserver"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/target"
)

func defaultDataDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".perflab-cluster"
	}
	return filepath.Join(home, ".perflab", "cluster")
}

func newClusterCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Run the embedded Kubernetes control plane with simulated nodes",
		Long: `A real control plane in one process: embedded etcd, kube-apiserver,
kube-scheduler and kube-controller-manager, with hollow nodes simulated by kwok.
Every listener binds 127.0.0.1; clients authenticate with certificates.`,
	}
	cmd.AddCommand(newClusterUpCommand(), newClusterNodesCommand(), newClusterBenchCommand())
	return cmd
}

type clusterUpOptions struct {
	cluster    cluster.Options
	prometheus metrics.ClusterPrometheusOptions
	audit      bool
	pprof      string
	ui         uiOptions
}

func (o *clusterUpOptions) addFlags(fs *pflag.FlagSet) {
	c := &o.cluster
	fs.StringVar(&c.DataDir, "data-dir", defaultDataDir(), "directory for etcd data, PKI, kubeconfigs and logs; restarting on it keeps every object")
	fs.IntVar(&c.Nodes, "nodes", 1, "hollow nodes to run")
	addClusterKnobFlags(fs, c)
	fs.BoolVar(&o.audit, "audit", false, "the API server logs every request of this session to <data-dir>/audit.log (Metadata level); converted to audit-calls.jsonl and summarized on exit")
	fs.StringVar(&o.pprof, "pprof", "", "serve this process's net/http/pprof on this loopback address (127.0.0.1:PORT), e.g. go tool pprof http://127.0.0.1:PORT/debug/pprof/heap")
	o.prometheus.AddFlags(fs)
	o.ui.addFlags(fs, "ui-")
}

// addClusterKnobFlags registers the flags that shape the cluster's
// behaviour (capacity, timings, API server limits and arguments); cluster up
// and cluster bench share them.
func addClusterKnobFlags(fs *pflag.FlagSet, c *cluster.Options) {
	fs.IntVar(&c.MaxPods, "max-pods", cluster.DefaultMaxPods, "pods per node (kubelet maxPods)")
	fs.StringVar(&c.NodeCPU, "node-cpu", cluster.DefaultNodeCPU, "CPU capacity of each node")
	fs.StringVar(&c.NodeMemory, "node-memory", cluster.DefaultNodeMemory, "memory capacity of each node")
	fs.DurationVar(&c.PodStartupDelay, "pod-startup-delay", 0, "delay before a scheduled pod becomes Running and Ready")
	fs.DurationVar(&c.PodStartupJitter, "pod-startup-jitter", 0, "extra uniform random delay, up to this, before a pod becomes Ready")
	fs.DurationVar(&c.JobDuration, "job-duration", cluster.DefaultJobDuration, "how long a Job's pod runs before it succeeds (its annotation "+cluster.JobDurationAnnotation+" wins)")
	fs.Var(c.PodEventsFlag(), "pod-events", "nodes emit the kubelet's pod events (Pulling, Pulled, Created, Started), one pod status update and Event each")
	fs.Lookup("pod-events").NoOptDefVal = "true"
	fs.IntVar(&c.MaxRequestsInflight, "max-requests-inflight", cluster.DefaultMaxRequestsInflight, "kube-apiserver --max-requests-inflight")
	fs.IntVar(&c.MaxMutatingRequestsInflight, "max-mutating-requests-inflight", cluster.DefaultMaxMutatingRequestsInflight, "kube-apiserver --max-mutating-requests-inflight")
	fs.StringVar(&c.ResourceUsage, "resource-usage", "", "YAML of kwok ResourceUsage/ClusterResourceUsage objects: the simulated usage kubectl top shows (default: from each container's requests and limits)")
	fs.StringArrayVar(&c.APIServerArgs, "apiserver-arg", nil, "extra kube-apiserver flag as key=value (repeatable); values that weaken binding, authentication, TLS or RBAC are refused")
	fs.BoolVar(&c.InsecureAPIServerArgs, "insecure-apiserver-args", false, "accept --apiserver-arg, --scheduler-arg and --controller-manager-arg values that weaken binding to 127.0.0.1, authentication, TLS, RBAC or the components' identities (prints a warning)")
	addClusterScaleFlags(fs, c)
}

func newClusterUpCommand() *cobra.Command {
	o := &clusterUpOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the embedded cluster in the foreground until Ctrl-C",
		Example: `  perflab cluster up --nodes 3
  perflab cluster up --nodes 1 --max-pods 150 --pod-startup-delay 500ms --pod-startup-jitter 1s
  perflab cluster up --apiserver-arg max-requests-inflight=800 --data-dir /tmp/lab
  perflab cluster up --prometheus --prometheus-addr 127.0.0.1:9090
  perflab cluster up --audit
  perflab cluster up --nodes 100 --pprof 127.0.0.1:6060
  perflab cluster up --nodes 5000 --pod-events=false --node-lease-duration 240s --memory-limit 7Gi
  perflab cluster up --nodes 1000 --scheduler-default-spreading none --scheduler-percentage-of-nodes-to-score 10
  perflab cluster up --scheduler-config my-scheduler.yaml   # a KubeSchedulerConfiguration: profiles, plugins
  perflab cluster up --nodes 3 --ui`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runClusterUp(cmd.Context(), o, cmd.OutOrStdout()) },
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func runClusterUp(ctx context.Context, o *clusterUpOptions, out io.Writer) (err error) {
	// The library reads 0 as "default"; on the command line it is a mistake.
	if o.cluster.MaxPods <= 0 {
		return fmt.Errorf("--max-pods %d: must be at least 1", o.cluster.MaxPods)
	}
	if err := o.cluster.Validate(); err != nil {
		return err
	}
	if err := o.prometheus.Validate(); err != nil {
		return err
	}
	if o.audit {
		log, err := freshAuditLog(o.cluster.DataDir)
		if err != nil {
			return err
		}
		o.cluster.AuditLog = log
	}
	if o.pprof != "" {
		url, err := pprofserver.Serve(ctx, o.pprof)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "pprof: %s (go tool pprof %sprofile?seconds=30)\n", url, url)
	}
	fmt.Fprintf(out, "starting embedded cluster in %s ...\n", o.cluster.DataDir)
	c, err := cluster.Start(ctx, o.cluster)
	if err != nil {
		return err
	}
	defer closeInto(&err, c.Stop)
	printClusterInfo(out, c)
	prom, err := o.prometheus.Start(ctx, c.PrometheusConfig(), c.DataDir(), out)
	if err != nil {
		return err
	}
	defer closeInto(&err, prom.Stop)
	if o.ui.enabled {
		if _, err := o.ui.start(ctx, c.RESTConfig(), false, out); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nexport KUBECONFIG=%s\n\npress Ctrl-C to stop\n", c.Kubeconfig())
	<-ctx.Done()
	fmt.Fprintln(out, "stopping ...")
	_ = prom.Stop()
	if err := c.Stop(); err != nil {
		return err
	}
	fmt.Fprintln(out, "stopped; objects are kept in", c.DataDir())
	return summarizeAudit(c.AuditLog(), out)
}

func printClusterInfo(out io.Writer, c *cluster.Cluster) {
	t := c.StartupTimes()
	ep := c.Endpoints()
	fmt.Fprintf(out, "cluster ready: API in %s, nodes Ready in %s\n", t.APIReady.Round(time.Millisecond), t.NodesReady.Round(time.Millisecond))
	fmt.Fprintf(out, "  API server        %s\n", ep.APIServer)
	fmt.Fprintf(out, "  etcd              %s (metrics %s)\n", ep.EtcdClient, ep.EtcdMetrics)
	fmt.Fprintf(out, "  prometheus config %s\n", c.PrometheusConfig())
	fmt.Fprintf(out, "  component logs    %s\n", filepath.Join(c.DataDir(), "cluster.log"))
	fmt.Fprintf(out, "  break-glass       %s (system:masters: exempt from RBAC and API priority and fairness)\n", c.SuperAdminKubeconfig())
	if a := c.AuditLog(); a != "" {
		fmt.Fprintf(out, "  audit log         %s\n", a)
	}
}

func newClusterNodesCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "nodes", Short: "Manage the hollow nodes of a running embedded cluster"}
	var dataDir string
	add := &cobra.Command{
		Use:     "add N",
		Short:   "Add N hollow nodes to the cluster running on --data-dir",
		Example: "  perflab cluster nodes add 10",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[0])
			if err != nil || n <= 0 {
				return fmt.Errorf("N %q: want a positive number of nodes", args[0])
			}
			return runNodesAdd(cmd.Context(), dataDir, n, cmd.OutOrStdout())
		},
	}
	add.Flags().StringVar(&dataDir, "data-dir", defaultDataDir(), "data directory of the running cluster")
	cmd.AddCommand(add)
	return cmd
}

func runNodesAdd(ctx context.Context, dataDir string, n int, out io.Writer) error {
	spec, err := cluster.ReadNodeSpec(dataDir)
	if err != nil {
		return err
	}
	env, err := target.FromDataDir(dataDir)
	if err != nil {
		return err
	}
	client := env.Client.Typed
	names, err := cluster.CreateNodes(ctx, client, n, spec)
	if err != nil {
		return fmt.Errorf("is the cluster on %s running? %w", dataDir, err)
	}
	fmt.Fprintf(out, "added %d nodes (%s .. %s); waiting until Ready\n", len(names), names[0], names[len(names)-1])
	total, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: cluster.HollowNodeLabel + "=true"})
	if err != nil {
		return err
	}
	return cluster.WaitNodesReady(ctx, client, len(total.Items), cluster.NodesReadyTimeout(n))
}
