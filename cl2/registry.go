package cl2

import (
	"sort"
	"strings"
)

// paramSpec declares one measurement param.
type paramSpec struct {
	name     string
	kind     paramKind
	required bool
}

// methodSpec declares a measurement method: the actions it accepts, the
// params each action reads, and how to make an instance. Methods without
// actions (WaitForRunningPods, Sleep, ...) have the single action "".
type methodSpec struct {
	name    string
	actions map[string][]paramSpec
	newFn   func() measurement
}

var (
	selectorParams = []paramSpec{{"labelSelector", pSelector, false}, {"fieldSelector", pString, false}, {"namespace", pString, false}}
	apiRespGather  = []paramSpec{
		{"enableViolations", pBool, false}, {"useSimpleLatencyQuery", pBool, false}, {"summaryName", pString, false},
		{"allowedSlowCalls", pInt, false}, {"customThresholds", pString, false}, {"singleResourceThreshold", pDuration, false},
		{"prometheusClient", pString, false},
	}
)

func with(base []paramSpec, more ...paramSpec) []paramSpec {
	return append(append([]paramSpec(nil), base...), more...)
}

// methods is the registry of measurement methods perflab implements.
var methods = func() map[string]*methodSpec {
	list := []*methodSpec{
		{name: "PodStartupLatency", newFn: newPodStartupLatency, actions: map[string][]paramSpec{
			"start": with(selectorParams, paramSpec{"threshold", pDuration, false},
				paramSpec{"perc50Threshold", pDuration, false}, paramSpec{"perc90Threshold", pDuration, false},
				paramSpec{"perc99Threshold", pDuration, false}, paramSpec{"mapEventsByOrder", pBool, false}),
			"gather": {{"schedulerName", pString, false}},
		}},
		{name: "SchedulingThroughput", newFn: newSchedulingThroughput, actions: map[string][]paramSpec{
			"start":  with(selectorParams, paramSpec{"measurmentInterval", pDuration, false}, paramSpec{"measurementInterval", pDuration, false}),
			"gather": {{"threshold", pFloat, false}, {"enableViolations", pBool, false}},
		}},
		{name: "APIResponsivenessPrometheus", newFn: newAPIResponsiveness(false), actions: map[string][]paramSpec{
			"start": {{"prometheusClient", pString, false}}, "gather": apiRespGather,
		}},
		{name: "APIResponsivenessPrometheusSimple", newFn: newAPIResponsiveness(true), actions: map[string][]paramSpec{
			"start": {{"prometheusClient", pString, false}}, "gather": apiRespGather,
		}},
		{name: "WaitForControlledPodsRunning", newFn: newWaitForControlledPods, actions: map[string][]paramSpec{
			"start": with(selectorParams, paramSpec{"apiVersion", pString, true}, paramSpec{"kind", pString, true},
				paramSpec{"operationTimeout", pDuration, false}, paramSpec{"checkIfPodsAreUpdated", pBool, false},
				paramSpec{"countErrorMargin", pInt, false}),
			"gather": {{"syncTimeout", pDuration, false}},
			"stop":   nil,
		}},
		{name: "WaitForRunningPods", newFn: newWaitForRunningPods, actions: map[string][]paramSpec{
			"": with(selectorParams, paramSpec{"desiredPodCount", pInt, true}, paramSpec{"timeout", pDuration, false},
				paramSpec{"refreshInterval", pDuration, false}, paramSpec{"isFatal", pBool, false}),
		}},
		{name: "WaitForGenericK8sObjects", newFn: newWaitForGenericObjects, actions: map[string][]paramSpec{
			"": {{"objectGroup", pString, true}, {"objectVersion", pString, true}, {"objectResource", pString, true},
				{"namespaceRange", pMap, false}, {"timeout", pDuration, false}, {"refreshInterval", pDuration, false},
				{"successfulConditions", pStrings, false}, {"failedConditions", pStrings, false},
				{"minDesiredObjectCount", pInt, true}, {"maxFailedObjectCount", pInt, false}, {"labelSelector", pSelector, false}},
		}},
		{name: "Timer", newFn: newTimer, actions: map[string][]paramSpec{
			"start": {{"label", pString, true}}, "stop": {{"label", pString, true}}, "gather": nil,
		}},
		{name: "Sleep", newFn: newSleep, actions: map[string][]paramSpec{
			"": {{"duration", pDuration, true}},
		}},
		{name: "ListLoad", newFn: newListLoad, actions: map[string][]paramSpec{
			"": with([]paramSpec{{"labelSelector", pSelector, false}}, paramSpec{"resource", pString, true},
				paramSpec{"apiVersion", pString, false}, paramSpec{"namespaceRange", pMap, false},
				paramSpec{"listsPerNamespace", pInt, false}, paramSpec{"qps", pFloat, false}),
		}},
	}
	m := make(map[string]*methodSpec, len(list))
	for _, s := range list {
		m[s.name] = s
	}
	return m
}()

// methodHint explains an unknown method that is a common mistake; its params
// are then checked against the method meant.
type methodHint struct {
	meant, why string
}

var methodHints = map[string]methodHint{
	"APIResponsiveness": {"APIResponsivenessPrometheus", "ClusterLoader2 renamed it APIResponsivenessPrometheus (add useSimpleLatencyQuery: true " +
		"and enableViolations: true at gather); perflab computes it from the API server's /metrics when no Prometheus is used"},
}

// notImplemented are ClusterLoader2 measurements perflab does not run, and
// why. A config using them runs without them: each use is a warning, and
// the call is skipped (logged) when its step runs.
var notImplemented = map[string]string{
	"InClusterNetworkLatency":        "its probe pods never run on simulated nodes",
	"DnsLookupLatency":               "its probe pods never run on simulated nodes",
	"NetworkProgrammingLatency":      "it needs kube-proxy/CNI metrics",
	"NodeLocalDNSLatency":            "its probe pods never run on simulated nodes",
	"TestMetrics":                    "it gathers etcd, scheduler and kubelet profiles from master nodes; use APIResponsivenessPrometheus and SchedulingThroughput",
	"GenericPrometheusQuery":         "perflab queries Prometheus through metric profiles (perflab init -m); see docs/metrics.md",
	"SLOMeasurement":                 "it bundles CL2's Prometheus SLO measurements",
	"WaitForFinishedJobs":            "perflab does not implement it; use WaitForGenericK8sObjects on batch/v1 Jobs with successfulConditions [Complete=True]",
	"JobLifecycleLatency":            "perflab does not implement it",
	"ResourceUsageSummary":           "it reads container resource usage from kubelets",
	"EtcdMetrics":                    "it reads etcd metrics from master nodes over SSH",
	"MetricsForE2E":                  "it reads component metrics from master nodes",
	"APIAvailability":                "it probes master nodes",
	"ClusterOOMsTracker":             "it watches node OOM events from kubelets",
	"ContainerRestarts":              "containers never run on simulated nodes",
	"CPUProfile":                     "it profiles components on master nodes",
	"MemoryProfile":                  "it profiles components on master nodes",
	"CiliumEndpointPropagationDelay": "it needs Cilium agents",
	"ServiceCreationLatency":         "its probe pods never run on simulated nodes",
	"PodPeriodicCommand":             "containers never run on simulated nodes",
	"Exec":                           "it runs commands in pods",
	"WaitForNodes":                   "perflab does not implement it",
	"WaitForBoundPVCs":               "perflab does not implement it",
	"WaitForAvailablePVs":            "perflab does not implement it",
}

// knownMethods lists the registered method names, sorted.
func knownMethods() []string {
	out := make([]string, 0, len(methods))
	for n := range methods {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// actionNames lists the actions of a method, sorted.
func (m *methodSpec) actionNames() []string {
	var out []string
	for a := range m.actions {
		if a != "" {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// paramsOf returns the spec of param name at action, and the other actions
// that read it when this one does not.
func (m *methodSpec) paramsOf(action, name string) (spec paramSpec, ok bool, elsewhere []string) {
	for _, p := range m.actions[action] {
		if p.name == name {
			return p, true, nil
		}
	}
	for _, a := range m.actionNames() {
		for _, p := range m.actions[a] {
			if p.name == name {
				elsewhere = append(elsewhere, a)
			}
		}
	}
	return paramSpec{}, false, elsewhere
}

func (m *methodSpec) paramNames() string {
	seen := map[string]bool{}
	var out []string
	for _, ps := range m.actions {
		for _, p := range ps {
			if !seen[p.name] {
				seen[p.name] = true
				out = append(out, p.name)
			}
		}
	}
	if len(m.actions) > 1 || m.actions[""] == nil {
		out = append(out, "action")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
