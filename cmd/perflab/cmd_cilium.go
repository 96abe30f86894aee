package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/perflab/perflab/cilium"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/target"
)

// ciliumClusterOptions select the cluster for --from-cluster.
type ciliumClusterOptions struct {
	target    target.Options
	namespace string
}

func (o *ciliumClusterOptions) addFlags(fs *pflag.FlagSet) {
	o.target.AddFlags(fs)
	fs.StringVar(&o.namespace, "cilium-namespace", "kube-system", "namespace of cilium-config and the agents")
}

// withSource resolves the target, hands its ClusterSource to run and
// closes the target afterwards.
func (o *ciliumClusterOptions) withSource(ctx context.Context, run func(cilium.ClusterSource) error) (err error) {
	env, err := target.Resolve(ctx, o.target)
	if err != nil {
		return err
	}
	defer closeInto(&err, env.Close)
	src, err := cilium.NewKubeSource(env, o.namespace)
	if err != nil {
		return err
	}
	return run(src)
}

func addCiliumMapsFlags(fs *pflag.FlagSet, o *cilium.MapsOptions, withJSON bool) {
	fs.StringVar(&o.MemTotal, "mem-total", "", "node MemTotal: 16Gi, 5036000kB, 16G (default: this machine's /proc/meminfo)")
	fs.StringVar(&o.Ratio, "ratio", "", "Helm bpf.mapDynamicSizeRatio (0 renders as 0.0025, like the chart)")
	fs.IntVar(&o.CPUs, "cpus", 0, "possible CPUs of the node (default: this machine's)")
	fs.BoolVar(&o.DistributedLRU, "distributed-lru", false, "Helm bpf.distributedLRU.enabled=true")
	fs.StringArrayVar(&o.Sets, "set", nil, "Helm value a.b=c (repeatable), e.g. bpf.ctTcpMax=1000000")
	fs.StringArrayVar(&o.AgentFlags, "agent-flag", nil, "agent option key=value applied last (repeatable), e.g. bpf-nat-global-max=200000")
	fs.StringVarP(&o.ValuesFile, "values", "f", "", "Helm values.yaml")
	if withJSON {
		fs.BoolVar(&o.JSON, "json", false, "print JSON")
	}
	fs.BoolVar(&o.FromCluster, "from-cluster", false, "read cilium-config and nodes from the cluster")
}

func newCiliumCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "cilium",
		Short: "Cilium tuning advisor: BPF map sizes, pressure, capacity plan, doctor, CES",
		Long: `Answers Cilium tuning questions before anyone restarts an agent. Sizes and
messages follow the cilium/cilium v1.18 source.

Exit codes: 0 ok, 1 error or bad input.`,
	}
	c.AddCommand(newCiliumMapsCommand(), newCiliumPressureCommand(), newCiliumPlanCommand(),
		newCiliumDoctorCommand(), newCiliumCESCommand())
	return c
}

type ciliumMapsOptions struct {
	maps    cilium.MapsOptions
	cluster ciliumClusterOptions
}

func newCiliumMapsCommand() *cobra.Command {
	o := &ciliumMapsOptions{}
	cmd := &cobra.Command{
		Use:   "maps",
		Short: "Print the BPF Maps table of `cilium-dbg status --verbose` for a node",
		Long:  ciliumLong("Print the BPF Maps table of `cilium-dbg status --verbose` for a node"),
		Example: `  perflab cilium maps --mem-total 5036000kB --ratio 0.01 --cpus 7 --distributed-lru
  perflab cilium maps --mem-total 16Gi --set bpf.ctTcpMax=1000000 --json
  perflab cilium maps --from-cluster`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCiliumMaps(cmd.Context(), o, cmd) },
	}
	addCiliumMapsFlags(cmd.Flags(), &o.maps, true)
	cmd.Flags().StringVar(&o.maps.Compare, "compare", "", "saved `cilium status --verbose` output to check the table against (exit 1 if rows differ)")
	o.cluster.addFlags(cmd.Flags())
	return cmd
}

func runCiliumMaps(ctx context.Context, o *ciliumMapsOptions, cmd *cobra.Command) error {
	run := func(src cilium.ClusterSource) error {
		o.maps.Cluster = src
		return cilium.RunMaps(ctx, o.maps, cmd.OutOrStdout(), cmd.ErrOrStderr())
	}
	if !o.maps.FromCluster {
		return exitcode.With(exitcode.Error, run(nil))
	}
	return exitcode.With(exitcode.Error, o.cluster.withSource(ctx, run))
}

type ciliumPressureOptions struct {
	run     cilium.PressureRunOptions
	cluster ciliumClusterOptions
}

func newCiliumPressureCommand() *cobra.Command {
	o := &ciliumPressureOptions{}
	cmd := &cobra.Command{
		Use:   "pressure",
		Short: "Rank BPF maps by pressure from `cilium metrics list`, Prometheus or the cluster, and advise",
		Long:  ciliumLong("Rank BPF maps by pressure from `cilium metrics list`, Prometheus or the cluster, and advise"),
		Example: `  kubectl -n kube-system exec ds/cilium -- cilium metrics list > m.txt
  perflab cilium pressure -f m.txt --mem-total 16Gi
  perflab cilium pressure --prometheus http://127.0.0.1:9090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCiliumPressure(cmd.Context(), o, cmd) },
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.run.File, "file", "f", "", "`cilium metrics list` output or Prometheus exposition (- = stdin)")
	fs.StringVar(&o.run.Prometheus, "prometheus", "", "Prometheus base URL, or an agent's http://host:9962/metrics")
	fs.Float64Var(&o.run.Target, "target", cilium.DefaultTargetPressure, "target pressure for advice")
	fs.BoolVar(&o.run.JSON, "json", false, "print JSON")
	fs.StringVar(&o.run.Maps.MemTotal, "mem-total", "", "node MemTotal, to advise a ratio (16Gi, 5036000kB)")
	fs.StringVar(&o.run.Maps.Ratio, "ratio", "", "current Helm bpf.mapDynamicSizeRatio")
	fs.IntVar(&o.run.Maps.CPUs, "cpus", 0, "possible CPUs (default: this machine's)")
	fs.BoolVar(&o.run.Maps.DistributedLRU, "distributed-lru", false, "bpf.distributedLRU.enabled=true")
	fs.StringArrayVar(&o.run.Maps.Sets, "set", nil, "current Helm value a.b=c (repeatable)")
	fs.StringVar(&o.run.Maps.ValuesFile, "values", "", "current Helm values.yaml")
	fs.BoolVar(&o.run.Maps.FromCluster, "from-cluster", false, "read each agent's /metrics through the API server")
	o.cluster.addFlags(fs)
	return cmd
}

func runCiliumPressure(ctx context.Context, o *ciliumPressureOptions, cmd *cobra.Command) error {
	o.run.WithSizes = o.run.Maps.MemTotal != ""
	run := func(src cilium.ClusterSource) error {
		o.run.Maps.Cluster = src
		return cilium.RunPressure(ctx, o.run, cmd.OutOrStdout(), cmd.ErrOrStderr())
	}
	if !o.run.Maps.FromCluster {
		return exitcode.With(exitcode.Error, run(nil))
	}
	return exitcode.With(exitcode.Error, o.cluster.withSource(ctx, run))
}

func newCiliumPlanCommand() *cobra.Command {
	o := &cilium.PlanRunOptions{}
	w := &o.Workload
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Forecast map fill for a workload and the smallest ratio that keeps maps under target",
		Long:  ciliumLong("Forecast map fill for a workload and the smallest ratio that keeps maps under target"),
		Example: `  perflab cilium plan --mem-total 16Gi --new-conns-per-sec 2000 --services 3000 --backends 30000
  perflab cilium plan --mem-total 5036000kB --ratio 0.01 --cpus 7 --distributed-lru --gc-delete-ratios 0.3,0.3,0.01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitcode.With(exitcode.Error, cilium.RunPlan(cmd.Context(), *o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	fs := cmd.Flags()
	addCiliumMapsFlags(fs, &o.Maps, false)
	_ = fs.MarkHidden("from-cluster")
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
	fs.Float64Var(&o.Target, "target", cilium.DefaultTargetPressure, "target pressure")
	fs.IntVar(&w.Services, "services", 0, "Kubernetes services")
	fs.IntVar(&w.PortsPerService, "ports-per-service", 1, "ports per service")
	fs.IntVar(&w.Backends, "backends", 0, "service backends (endpoints of all services)")
	fs.IntVar(&w.Endpoints, "endpoints", 0, "pods in the cluster (IP cache)")
	fs.IntVar(&w.Nodes, "nodes", 0, "nodes in the cluster (IP cache)")
	fs.IntVar(&w.PodsPerNode, "pods-per-node", 110, "local endpoints on the node")
	fs.Float64Var(&w.NewConnsPerSec, "new-conns-per-sec", 0, "new TCP connections per second on the node")
	fs.DurationVar(&w.ConnDuration, "conn-duration", 0, "mean TCP connection lifetime")
	fs.Float64Var(&w.ServiceFraction, "service-fraction", 1, "share of connections to a service VIP (one extra CT entry each)")
	fs.Float64Var(&w.NATFraction, "nat-fraction", 0, "share of connections that are SNATed (2 NAT entries each)")
	fs.Float64Var(&w.UnclosedFraction, "unclosed-fraction", 0, "share of TCP connections that end without FIN/RST (their CT entries live --ct-timeout-tcp)")
	fs.Float64Var(&w.NewFlowsAnyPerSec, "new-flows-any-per-sec", 0, "new non-TCP flows per second (UDP, DNS)")
	fs.IntVar(&w.PolicyEntries, "policy-entries", 0, "policy map entries per endpoint")
	fs.DurationVar(&w.CTTimeoutTCP, "ct-timeout-tcp", 8000*time.Second, "agent bpf-ct-timeout-regular-tcp")
	fs.DurationVar(&w.CTTimeoutFIN, "ct-timeout-fin", 10*time.Second, "agent bpf-ct-timeout-regular-tcp-fin")
	fs.DurationVar(&w.CTTimeoutAny, "ct-timeout-any", 60*time.Second, "agent bpf-ct-timeout-regular-any")
	fs.StringVar(&o.GCSeries, "gc-delete-ratios", "", "replay CT GC runs with these delete ratios, e.g. 0.3,0.01")
	return cmd
}

func newCiliumDoctorCommand() *cobra.Command {
	o := &cilium.DoctorRunOptions{}
	cmd := &cobra.Command{
		Use: "doctor",
		Example: `  perflab cilium doctor
  perflab cilium doctor -f values.yaml`,
		Short: "Check this machine's kernel for BIG TCP, netkit, eBPF host routing, and Helm values against the v1.18 chart",
		Long: `Check this machine's kernel for BIG TCP, netkit, eBPF host routing, and Helm
values against the v1.18 chart. Usable as a CI gate.

Exit codes: 0 no check FAILed; 1 a check FAILed or a Helm value makes helm or
the agent refuse the install (the report is printed first, the error names
them), or bad input. A "warn" line (no netlink probe without CAP_NET_ADMIN)
and Helm keys the chart does not know do not fail the doctor.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitcode.With(exitcode.Error, cilium.RunDoctor(cmd.Context(), *o, cmd.OutOrStdout()))
		},
	}
	cmd.Flags().StringVarP(&o.ValuesFile, "values", "f", "", "Helm values.yaml to check")
	cmd.Flags().StringArrayVar(&o.Sets, "set", nil, "Helm value a.b=c to check (repeatable)")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON")
	return cmd
}

func newCiliumCESCommand() *cobra.Command {
	in := &cilium.CESInput{}
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "ces",
		Short:   "Estimate CiliumEndpointSlices and watch events, CEP vs CES",
		Long:    ciliumLong("Estimate CiliumEndpointSlices and watch events, CEP vs CES"),
		Example: `  perflab cilium ces --pods 200 --namespaces 1 --nodes 3 --churn 20s`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitcode.With(exitcode.Error, cilium.RunCES(cmd.Context(), *in, asJSON, cmd.OutOrStdout()))
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&in.Pods, "pods", 0, "pods (one CiliumEndpoint each)")
	fs.IntVar(&in.Namespaces, "namespaces", 1, "namespaces the pods spread over")
	fs.IntVar(&in.PerSlice, "per-slice", cilium.DefaultCEPsPerCES, "operator ces-max-ciliumendpoints-per-ces")
	fs.IntVar(&in.Nodes, "nodes", 1, "agents (nodes) watching")
	fs.DurationVar(&in.Churn, "churn", 0, "time over which the pods start")
	fs.IntVar(&in.CEPEventsPerPod, "cep-events-per-pod", 3, "CiliumEndpoint watch events per pod start")
	fs.Float64Var(&in.QPS, "ces-qps", cilium.CESDefaultQPS, "ciliumEndpointSlice.rateLimits limit")
	fs.IntVar(&in.Burst, "ces-burst", cilium.CESDefaultBurst, "ciliumEndpointSlice.rateLimits burst")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// ciliumLong is a subcommand's help: its summary and the exit codes.
func ciliumLong(short string) string {
	return short + ".\n\nExit codes: 0 ok, 1 error or bad input (the message names the file, line and field)."
}
