package measure

import "slices"

// kube-burner job types, as Config.JobType and Entry.JobTypes name them.
const (
	JobCreate = "create"
	JobDelete = "delete"
	JobPatch  = "patch"
)

// kubeBurnerEntries are kube-burner's measurement names (its
// pkg/measurements/factory.go).
func kubeBurnerEntries() []Entry {
	kb := func(name string, f Factory, conds []string, jobTypes ...string) Entry {
		return Entry{Tool: KubeBurner, Name: name, Kind: Measured, New: f, Conditions: conds, JobTypes: jobTypes}
	}
	skip := func(name, why string) Entry {
		return Entry{Tool: KubeBurner, Name: name, Kind: Skipped, Why: why}
	}
	return []Entry{
		kb("podLatency", newPodLatency, PodConditions, JobCreate, JobPatch, JobDelete),
		kb("jobLatency", newJobLatency, []string{CondJobComplete, CondJobStartTime}, JobCreate, JobPatch),
		kb("pvcLatency", newPVCLatency, append(slices.Clone(pvcQuantiles), "Resized"), JobCreate, JobPatch, JobDelete),
		kb("serviceLatency", newServiceLatency, nil, JobCreate, JobPatch),
		skip("nodeLatency", "simulated nodes are Ready from the start"),
		skip("vmiLatency", "it needs KubeVirt"),
		skip("vmimLatency", "it needs KubeVirt"),
		skip("dataVolumeLatency", "it needs KubeVirt's CDI"),
		skip("volumeSnapshotLatency", "it needs a CSI snapshotter"),
		skip("netpolLatency", "its probe pods never run on simulated nodes"),
		skip("pprof", "use perflab's metrics profiles; pprof targets are not collected"),
	}
}

// ClusterLoader2Commit is the kubernetes/perf-tests commit whose
// measurement registry (every measurement.Register call under
// clusterloader2/pkg) clusterLoader2Entries lists.
const ClusterLoader2Commit = "4b3415444f4c62406d508539732abee3eadd3aa8"

// clusterLoader2Entries are ClusterLoader2's measurement methods, plus
// perflab's ListLoad and the older APIResponsivenessPrometheusSimple.
func clusterLoader2Entries() []Entry {
	cl := func(name string, f Factory) Entry {
		return Entry{Tool: ClusterLoader2, Name: name, Kind: Measured, New: f}
	}
	step := func(name string) Entry { return Entry{Tool: ClusterLoader2, Name: name, Kind: Step} }
	skip := func(name, why string) Entry {
		return Entry{Tool: ClusterLoader2, Name: name, Kind: Skipped, Why: why}
	}
	const (
		probes  = "its probe pods never run on simulated nodes"
		masters = "it reads components on master nodes"
		notYet  = "perflab does not implement it"
		noRun   = "containers never run on simulated nodes"
	)
	return []Entry{
		cl("PodStartupLatency", newPodStartupLatency),
		cl("SchedulingThroughput", newSchedulingThroughput),
		cl("APIResponsivenessPrometheus", newAPIResponsiveness),
		cl("APIResponsivenessPrometheusSimple", newAPIResponsiveness),
		step("WaitForControlledPodsRunning"),
		step("WaitForRunningPods"),
		step("WaitForGenericK8sObjects"),
		step("Timer"),
		step("Sleep"),
		step("ListLoad"),
		step("WaitForFinishedJobs"),
		cl("JobLifecycleLatency", newJobLifecycleLatency),
		skip("InClusterNetworkLatency", probes),
		skip("DnsLookupLatency", probes),
		skip("DnsPropagation", probes),
		skip("InClusterAPIServerRequestLatency", probes),
		skip("DNSPerformanceK8sHostnames", probes),
		skip("NetworkProgrammingLatency", "it needs kube-proxy/CNI metrics"),
		skip("NetworkPerformanceMetrics", probes),
		skip("NetworkPolicyEnforcement", probes),
		skip("NodeLocalDNSLatencyPrometheus", "it needs NodeLocal DNSCache"),
		skip("TestMetrics", "it gathers etcd, scheduler and kubelet profiles from master nodes; use APIResponsivenessPrometheus and SchedulingThroughput"),
		skip("GenericPrometheusQuery", "perflab queries Prometheus through metric profiles (perflab init -m); see docs/metrics.md"),
		skip("SLOMeasurement", "it bundles CL2's Prometheus SLO measurements"),
		skip("ResourceUsageSummary", "it reads container resource usage from kubelets"),
		skip("EtcdMetrics", "it reads etcd metrics from master nodes over SSH"),
		skip("MetricsForE2E", masters),
		skip("SchedulingMetrics", masters),
		skip("PrometheusSchedulingMetrics", "it reads the scheduler's metrics through CL2's Prometheus stack"),
		skip("SchedulingThroughputPrometheus", "it reads CL2's Prometheus stack; use SchedulingThroughput"),
		skip("SystemPodMetrics", "it reads kube-system pods' restarts on nodes perflab does not run"),
		skip("APIAvailability", "it probes master nodes"),
		skip("RestartApiserver", "it restarts the API server of master nodes over SSH"),
		skip("ChaosMonkey", "it kills nodes"),
		skip("NodeHealthTracker", "simulated nodes stay healthy"),
		skip("ClusterOOMsTracker", "it watches node OOM events from kubelets"),
		skip("ContainerRestarts", noRun),
		skip("PodPeriodicCommand", noRun),
		skip("Exec", "it runs commands in pods"),
		skip("CPUProfile", masters),
		skip("MemoryProfile", masters),
		skip("BlockProfile", masters),
		skip("CiliumEndpointPropagationDelay", "it needs Cilium agents"),
		skip("ServiceCreationLatency", probes),
		skip("LoadBalancerNodeSyncLatency", "it needs a cloud load balancer"),
		skip("NegLatency", "it needs GKE network endpoint groups"),
		skip("KubeStateMetricsLatency", "it needs kube-state-metrics"),
		skip("MetricsServerPrometheus", "it needs metrics-server"),
		skip("WindowsResourceUsagePrometheus", "it needs Windows nodes"),
		skip("ResourceClaimAllocationLatency", "it needs a DRA driver"),
		skip("WaitForNodes", notYet),
		skip("WaitForBoundPVCs", notYet),
		skip("WaitForAvailablePVs", notYet),
	}
}
