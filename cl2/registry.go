package cl2

import (
	"sort"
	"strings"

	"github.com/perflab/perflab/measure"
)

// paramSpec declares one measurement param.
type paramSpec struct {
	name     string
	kind     paramKind
	required bool
}

// methodSpec declares the params of a measurement method that
// measure.Default registers as Measured or Step: the actions it accepts,
// the params each action reads, and, for steps, how to make an instance
// (measured methods run through measure's implementation). Methods without
// actions (WaitForRunningPods, Sleep, ...) have the single action "".
type methodSpec struct {
	name    string
	actions map[string][]paramSpec
	newFn   func() measurement
}

// registry is every measurement name perflab knows; it never changes.
var registry = measure.Default()

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

// methods are the params of every method the registry runs, with their
// instance makers.
var methods = func() map[string]*methodSpec {
	list := []*methodSpec{
		{name: "PodStartupLatency", actions: map[string][]paramSpec{
			"start": with(selectorParams, paramSpec{"threshold", pDuration, false},
				paramSpec{"perc50Threshold", pDuration, false}, paramSpec{"perc90Threshold", pDuration, false},
				paramSpec{"perc99Threshold", pDuration, false}, paramSpec{"mapEventsByOrder", pBool, false}),
			"gather": {{"schedulerName", pString, false}},
		}},
		{name: "SchedulingThroughput", actions: map[string][]paramSpec{
			"start":  with(selectorParams, paramSpec{"measurmentInterval", pDuration, false}, paramSpec{"measurementInterval", pDuration, false}),
			"gather": {{"threshold", pFloat, false}, {"enableViolations", pBool, false}},
		}},
		{name: "APIResponsivenessPrometheus", actions: map[string][]paramSpec{
			"start": {{"prometheusClient", pString, false}}, "gather": apiRespGather,
		}},
		{name: "APIResponsivenessPrometheusSimple", actions: map[string][]paramSpec{
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
		{name: "WaitForFinishedJobs", newFn: newWaitForFinishedJobs, actions: map[string][]paramSpec{
			"start": selectorParams, "gather": {{"timeout", pDuration, false}},
		}},
		{name: "JobLifecycleLatency", actions: map[string][]paramSpec{
			"start": selectorParams, "gather": {{"timeout", pDuration, false}},
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
		if e, ok := registry.Lookup(measure.ClusterLoader2, s.name); ok && e.Kind == measure.Measured {
			s.newFn = func() measurement { return &registered{entry: e} }
		}
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

// skipReason says why a method perflab knows is not run; ok is false for
// methods it runs and for unknown ones. A config using a skipped method
// runs without it: each use is a warning, and the call is skipped (logged)
// when its step runs.
func skipReason(method string) (why string, ok bool) {
	e, known := registry.Lookup(measure.ClusterLoader2, method)
	if !known || e.Kind != measure.Skipped {
		return "", false
	}
	return e.Why, true
}

// knownMethods lists the method names perflab runs, sorted.
func knownMethods() []string {
	return registry.Names(measure.ClusterLoader2, measure.Measured, measure.Step)
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

// missingParams lists the required params of action that p lacks; CL2
// fails such a call when it runs.
func (s *methodSpec) missingParams(action string, p params) []string {
	if _, single := s.actions[""]; single {
		action = ""
	}
	var out []string
	for _, sp := range s.actions[action] {
		if sp.required && !p.has(sp.name) {
			out = append(out, sp.name)
		}
	}
	return out
}
