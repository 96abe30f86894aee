package measure

import (
	"slices"
	"testing"
)

// clusterLoader2Registered are the names ClusterLoader2 registers with
// measurement.Register under clusterloader2/pkg at ClusterLoader2Commit:
//
//	git -C perf-tests grep -h 'measurement.Register(' $commit -- clusterloader2/pkg
//
// with each name constant resolved. Keep it, and the entries, in step.
var clusterLoader2Registered = []string{
	"APIAvailability", "APIResponsivenessPrometheus", "BlockProfile", "CPUProfile", "ChaosMonkey",
	"CiliumEndpointPropagationDelay", "ClusterOOMsTracker", "ContainerRestarts", "DNSPerformanceK8sHostnames",
	"DnsLookupLatency", "DnsPropagation", "EtcdMetrics", "Exec", "GenericPrometheusQuery",
	"InClusterAPIServerRequestLatency", "InClusterNetworkLatency", "JobLifecycleLatency",
	"KubeStateMetricsLatency", "LoadBalancerNodeSyncLatency", "MemoryProfile", "MetricsForE2E",
	"MetricsServerPrometheus", "NegLatency", "NetworkPerformanceMetrics", "NetworkPolicyEnforcement",
	"NetworkProgrammingLatency", "NodeHealthTracker", "NodeLocalDNSLatencyPrometheus", "PodPeriodicCommand",
	"PodStartupLatency", "PrometheusSchedulingMetrics", "ResourceClaimAllocationLatency", "ResourceUsageSummary",
	"RestartApiserver", "SLOMeasurement", "SchedulingMetrics", "SchedulingThroughput",
	"SchedulingThroughputPrometheus", "ServiceCreationLatency", "Sleep", "SystemPodMetrics", "TestMetrics",
	"Timer", "WaitForAvailablePVs", "WaitForBoundPVCs", "WaitForControlledPodsRunning", "WaitForFinishedJobs",
	"WaitForGenericK8sObjects", "WaitForNodes", "WaitForRunningPods", "WindowsResourceUsagePrometheus",
}

// perflabOnly are ClusterLoader2 names perflab accepts that ClusterLoader2
// does not register (today).
var perflabOnly = []string{"APIResponsivenessPrometheusSimple", "ListLoad"}

func TestClusterLoader2NamesInStep(t *testing.T) {
	got := Default().Names(ClusterLoader2)
	want := slices.Sorted(slices.Values(append(slices.Clone(clusterLoader2Registered), perflabOnly...)))
	if !slices.Equal(got, want) {
		for _, n := range want {
			if !slices.Contains(got, n) {
				t.Errorf("ClusterLoader2 registers %s; perflab does not know it", n)
			}
		}
		for _, n := range got {
			if !slices.Contains(want, n) {
				t.Errorf("perflab knows %s; ClusterLoader2 does not register it", n)
			}
		}
	}
}

func TestKubeBurnerNames(t *testing.T) {
	// kube-burner's pkg/measurements/factory.go measurementFactoryMap.
	want := []string{"dataVolumeLatency", "jobLatency", "netpolLatency", "nodeLatency", "podLatency", "pprof",
		"pvcLatency", "serviceLatency", "vmiLatency", "vmimLatency", "volumeSnapshotLatency"}
	if got := Default().Names(KubeBurner); !slices.Equal(got, want) {
		t.Errorf("kube-burner names = %v, want %v", got, want)
	}
}

func TestNewRegistryRejects(t *testing.T) {
	f := func(Config) (Measurement, error) { return nil, nil }
	for _, tc := range []struct {
		name    string
		entries []Entry
	}{
		{"twice", []Entry{{Tool: KubeBurner, Name: "a", Kind: Measured, New: f}, {Tool: KubeBurner, Name: "a", Kind: Skipped, Why: "x"}}},
		{"measured without factory", []Entry{{Tool: KubeBurner, Name: "a", Kind: Measured}}},
		{"skipped without reason", []Entry{{Tool: ClusterLoader2, Name: "a", Kind: Skipped}}},
	} {
		if _, err := NewRegistry(tc.entries...); err == nil {
			t.Errorf("%s: want an error", tc.name)
		}
	}
	// The same name for two tools is two entries.
	if _, err := NewRegistry(Entry{Tool: KubeBurner, Name: "a", Kind: Skipped, Why: "x"}, Entry{Tool: ClusterLoader2, Name: "a", Kind: Skipped, Why: "x"}); err != nil {
		t.Error(err)
	}
}

func TestRunsIn(t *testing.T) {
	e := Entry{JobTypes: []string{JobCreate, JobPatch}}
	if !e.RunsIn(JobCreate) || e.RunsIn(JobDelete) || !(Entry{}).RunsIn(JobDelete) {
		t.Error("RunsIn")
	}
}
