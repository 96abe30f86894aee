package burner

import (
	"time"

	"github.com/perflab/perflab/internal/strictyaml"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/wait"
)

// JobType is what a job does.
type JobType string

// Job types.
const (
	CreateJob JobType = "create"
	DeleteJob JobType = "delete"
	PatchJob  JobType = "patch"
	ReadJob   JobType = "read"
)

// Spec is a kube-burner configuration (v1.17 and v2 fields).
type Spec struct {
	// MetricsEndpoints are kube-burner's metricsEndpoints, in the metrics
	// engine's own type (decoded here, run by a JobObserver).
	MetricsEndpoints []metrics.EndpointConfig `yaml:"metricsEndpoints" json:"-"`
	Global           Global                   `yaml:"global" json:"global"`
	Jobs             []Job                    `yaml:"jobs" json:"jobs"`

	// File is the config's path; Dir resolves objectTemplate paths.
	File string `yaml:"-" json:"-"`
	Dir  string `yaml:"-" json:"-"`

	index *strictyaml.Index
	sets  setLines
	files *files
}

// Global is the config's global section.
type Global struct {
	Measurements      []Measurement `yaml:"measurements" json:"measurements,omitempty"`
	RequestTimeout    time.Duration `yaml:"requestTimeout" json:"requestTimeout"`
	GC                bool          `yaml:"gc" json:"gc"`
	GCTimeout         time.Duration `yaml:"gcTimeout" json:"gcTimeout,omitempty"`
	GCMetrics         bool          `yaml:"gcMetrics" json:"gcMetrics,omitempty"`
	WaitWhenFinished  bool          `yaml:"waitWhenFinished" json:"waitWhenFinished,omitempty"`
	Timeout           time.Duration `yaml:"timeout" json:"timeout"`
	ClusterHealth     bool          `yaml:"clusterHealth" json:"clusterHealth,omitempty"`
	FunctionTemplates []string      `yaml:"functionTemplates" json:"functionTemplates,omitempty"`
	DeletionStrategy  string        `yaml:"deletionStrategy" json:"deletionStrategy,omitempty"`
}

// Measurement is a measurement entry; the ones package measure registers
// for kube-burner run, the rest are warned about and skipped.
type Measurement struct {
	Name              string              `yaml:"name" json:"name"`
	Thresholds        []measure.Threshold `yaml:"thresholds" json:"thresholds,omitempty"`
	PProfTargets      []map[string]any    `yaml:"pprofTargets" json:"-"`
	PProfInterval     time.Duration       `yaml:"pprofInterval" json:"-"`
	PProfDirectory    string              `yaml:"pprofDirectory" json:"-"`
	NodeAffinity      map[string]string   `yaml:"nodeAffinity" json:"-"`
	ServiceTimeout    time.Duration       `yaml:"svcTimeout" json:"-"`
	QuantilesIndexer  string              `yaml:"quantilesIndexer" json:"-"`
	TimeseriesIndexer string              `yaml:"timeseriesIndexer" json:"-"`
}

// Job is one kube-burner job.
type Job struct {
	Name                   string            `yaml:"name" json:"name"`
	JobType                JobType           `yaml:"jobType" json:"jobType"`
	JobIterations          int               `yaml:"jobIterations" json:"jobIterations"`
	JobIterationDelay      time.Duration     `yaml:"jobIterationDelay" json:"jobIterationDelay,omitempty"`
	JobPause               time.Duration     `yaml:"jobPause" json:"jobPause,omitempty"`
	QPS                    float32           `yaml:"qps" json:"qps"`
	Burst                  int               `yaml:"burst" json:"burst"`
	Namespace              string            `yaml:"namespace" json:"namespace,omitempty"`
	NamespacedIterations   bool              `yaml:"namespacedIterations" json:"namespacedIterations"`
	IterationsPerNamespace int               `yaml:"iterationsPerNamespace" json:"iterationsPerNamespace"`
	PreCreateNamespaces    bool              `yaml:"preCreateNamespaces" json:"preCreateNamespaces,omitempty"`
	NamespaceLabels        map[string]string `yaml:"namespaceLabels" json:"-"`
	NamespaceAnnotations   map[string]string `yaml:"namespaceAnnotations" json:"-"`
	Cleanup                bool              `yaml:"cleanup" json:"cleanup"`
	PodWait                bool              `yaml:"podWait" json:"podWait"`
	WaitWhenFinished       bool              `yaml:"waitWhenFinished" json:"waitWhenFinished"`
	MaxWaitTimeout         time.Duration     `yaml:"maxWaitTimeout" json:"maxWaitTimeout"`
	WaitForDeletion        bool              `yaml:"waitForDeletion" json:"waitForDeletion"`
	VerifyObjects          bool              `yaml:"verifyObjects" json:"verifyObjects"`
	ErrorOnVerify          bool              `yaml:"errorOnVerify" json:"errorOnVerify"`
	PreLoadImages          bool              `yaml:"preLoadImages" json:"preLoadImages"`
	PreLoadPeriod          time.Duration     `yaml:"preLoadPeriod" json:"preLoadPeriod"`
	PreLoadNodeLabels      map[string]string `yaml:"preLoadNodeLabels" json:"-"`
	Objects                []Object          `yaml:"objects" json:"-"`

	// Churn, v1.17 flat fields.
	Churn         bool          `yaml:"churn" json:"churn,omitempty"`
	ChurnCycles   int           `yaml:"churnCycles" json:"churnCycles,omitempty"`
	ChurnPercent  int           `yaml:"churnPercent" json:"churnPercent,omitempty"`
	ChurnDuration time.Duration `yaml:"churnDuration" json:"churnDuration,omitempty"`
	ChurnDelay    time.Duration `yaml:"churnDelay" json:"churnDelay,omitempty"`
	// ChurnConfig is the v2 form.
	ChurnConfig ChurnConfig `yaml:"churnConfig" json:"churnConfig,omitempty"`

	// Accepted for compatibility.
	ExecutionMode              string        `yaml:"executionMode" json:"executionMode,omitempty"`
	ObjectDelay                time.Duration `yaml:"objectDelay" json:"objectDelay,omitempty"`
	ObjectWait                 bool          `yaml:"objectWait" json:"objectWait,omitempty"`
	DefaultMissingKeysWithZero bool          `yaml:"defaultMissingKeysWithZero" json:"defaultMissingKeysWithZero,omitempty"`
	SkipIndexing               bool          `yaml:"skipIndexing" json:"skipIndexing,omitempty"`
	MetricsAggregate           bool          `yaml:"metricsAggregate" json:"metricsAggregate,omitempty"`
	MetricsClosing             string        `yaml:"metricsClosing" json:"metricsClosing,omitempty"`
	BeforeCleanup              string        `yaml:"beforeCleanup" json:"beforeCleanup,omitempty"`
	GC                         bool          `yaml:"gc" json:"gc"`
	Measurements               []Measurement `yaml:"measurements" json:"measurements,omitempty"`

	// Hooks run commands at the job's stages (kube-burner v2).
	Hooks []Hook `yaml:"hooks" json:"hooks,omitempty"`
	// Watchers hold watches open during the job (kube-burner v2).
	Watchers []Watcher `yaml:"watchers" json:"-"`
	// IncrementalLoad grows a create job step by step (kube-burner v2).
	IncrementalLoad *IncrementalLoad `yaml:"incrementalLoad" json:"incrementalLoad,omitempty"`
}

// Hook is a command run at one stage of a job.
type Hook struct {
	Cmd        []string `yaml:"cmd" json:"cmd,omitempty"`
	When       string   `yaml:"when" json:"when,omitempty"`
	Background bool     `yaml:"background" json:"background,omitempty"`
}

// Watcher is a set of identical watches on one kind.
type Watcher struct {
	Kind          string            `yaml:"kind" json:"kind,omitempty"`
	APIVersion    string            `yaml:"apiVersion" json:"apiVersion,omitempty"`
	LabelSelector map[string]string `yaml:"labelSelector" json:"labelSelector,omitempty"`
	Replicas      int               `yaml:"replicas" json:"replicas,omitempty"`
}

// IncrementalLoad is kube-burner v2's incrementalLoad.
type IncrementalLoad struct {
	StartIterations   int           `yaml:"startIterations" json:"startIterations,omitempty"`
	TotalIterations   int           `yaml:"totalIterations" json:"totalIterations,omitempty"`
	StepDelay         time.Duration `yaml:"stepDelay" json:"stepDelay,omitempty"`
	Pattern           LoadPattern   `yaml:"pattern" json:"pattern,omitempty"`
	HealthCheckScript string        `yaml:"healthCheckScript" json:"healthCheckScript,omitempty"`
}

// LoadPattern says how incremental steps grow.
type LoadPattern struct {
	Type        string              `yaml:"type" json:"type,omitempty"`
	Linear      *LinearPattern      `yaml:"linear" json:"linear,omitempty"`
	Exponential *ExponentialPattern `yaml:"exponential" json:"exponential,omitempty"`
}

// LinearPattern grows by stepSize iterations (or in minSteps steps).
type LinearPattern struct {
	MinSteps int `yaml:"minSteps" json:"minSteps,omitempty"`
	StepSize int `yaml:"stepSize" json:"stepSize,omitempty"`
}

// ExponentialPattern grows by start × base^step, after warmupSteps linear
// steps, each increase capped at maxIncrease.
type ExponentialPattern struct {
	Base        float64 `yaml:"base" json:"base,omitempty"`
	MaxIncrease int     `yaml:"maxIncrease" json:"maxIncrease,omitempty"`
	WarmupSteps int     `yaml:"warmupSteps" json:"warmupSteps,omitempty"`
}

// ChurnConfig is kube-burner v2's churnConfig.
type ChurnConfig struct {
	Cycles      int           `yaml:"cycles" json:"cycles,omitempty"`
	Percent     int           `yaml:"percent" json:"percent,omitempty"`
	Duration    time.Duration `yaml:"duration" json:"duration,omitempty"`
	Delay       time.Duration `yaml:"delay" json:"delay,omitempty"`
	DeleteDelay time.Duration `yaml:"deleteDelay" json:"deleteDelay,omitempty"`
	Mode        string        `yaml:"mode" json:"mode,omitempty"`
}

// metricsClosing values: where a job's window (jobSummary's endTimestamp,
// the metrics' range) ends.
const (
	MetricsClosingAfterJob          = "afterJob"
	MetricsClosingAfterJobPause     = "afterJobPause"
	MetricsClosingAfterMeasurements = "afterMeasurements"
)

// Churn modes.
const (
	ChurnNamespaces = "namespaces"
	ChurnObjects    = "objects"
)

// Object is one entry of a job's objects.
type Object struct {
	ObjectTemplate string            `yaml:"objectTemplate" json:"objectTemplate,omitempty"`
	Replicas       int               `yaml:"replicas" json:"replicas,omitempty"`
	InputVars      map[string]any    `yaml:"inputVars" json:"inputVars,omitempty"`
	Kind           string            `yaml:"kind" json:"kind,omitempty"`
	APIVersion     string            `yaml:"apiVersion" json:"apiVersion,omitempty"`
	LabelSelector  map[string]string `yaml:"labelSelector" json:"labelSelector,omitempty"`
	PatchType      string            `yaml:"patchType" json:"patchType,omitempty"`
	Wait           bool              `yaml:"wait" json:"wait"`
	WaitOptions    WaitOptions       `yaml:"waitOptions" json:"waitOptions"`
	RunOnce        bool              `yaml:"runOnce" json:"runOnce,omitempty"`
	Churn          bool              `yaml:"churn" json:"churn,omitempty"`
	// RepeatEveryNIterations creates the object once per N iterations,
	// rendered with .Iteration = iteration / N (kube-burner v2).
	RepeatEveryNIterations int `yaml:"repeatEveryNIterations" json:"repeatEveryNIterations,omitempty"`
	// Group and KubeVirtOp are kube-burner v2 fields perflab refuses with
	// a clear error (grouped execution; KubeVirt VM operations).
	Group      ObjectGroup `yaml:"group" json:"group,omitempty"`
	KubeVirtOp string      `yaml:"kubeVirtOp" json:"kubeVirtOp,omitempty"`
}

// ObjectGroup is kube-burner v2's grouped-execution block.
type ObjectGroup struct {
	ID            int           `yaml:"id" json:"id,omitempty"`
	GC            bool          `yaml:"gc" json:"gc,omitempty"`
	PauseBeforeGC time.Duration `yaml:"pauseBeforeGC" json:"pauseBeforeGC,omitempty"`
	PauseAfterGC  time.Duration `yaml:"pauseAfterGC" json:"pauseAfterGC,omitempty"`
}

// every is the object's repeat interval (1 when unset).
func (o Object) every() int { return max(o.RepeatEveryNIterations, 1) }

// creates tells whether iteration i creates the object, and the iteration
// its template is rendered with.
func (o Object) creates(i int) (bool, int) {
	n := o.every()
	if o.RunOnce {
		return i == 0, i
	}
	return i%n == 0, i / n
}

// copies is how many times iterations [0, n) create the object.
func (o Object) copies(n int) int {
	if o.RunOnce {
		return min(n, 1)
	}
	return (n + o.every() - 1) / o.every()
}

// WaitOptions change what a created object waits for.
type WaitOptions struct {
	APIVersion        string            `yaml:"apiVersion" json:"apiVersion,omitempty"`
	Kind              string            `yaml:"kind" json:"kind,omitempty"`
	LabelSelector     map[string]string `yaml:"labelSelector" json:"labelSelector,omitempty"`
	CustomStatusPaths []wait.StatusPath `yaml:"customStatusPaths" json:"customStatusPaths,omitempty"`
}

// ChurnEnabled reports whether the job churns (v1.17 churn: true, or a v2
// churnConfig with cycles or a duration).
func (j *Job) ChurnEnabled() bool {
	return j.Churn || j.ChurnConfig.Cycles > 0 || j.ChurnConfig.Duration > 0
}

// EffectiveChurn merges the v1.17 flat fields into the v2 form.
func (j *Job) EffectiveChurn() ChurnConfig {
	c := j.ChurnConfig
	if j.Churn {
		if c.Cycles == 0 {
			c.Cycles = j.ChurnCycles
		}
		if c.Percent == 0 {
			c.Percent = j.ChurnPercent
		}
		if c.Duration == 0 {
			c.Duration = j.ChurnDuration
		}
		if c.Delay == 0 {
			c.Delay = j.ChurnDelay
		}
	}
	if c.Percent <= 0 {
		c.Percent = 10
	}
	if c.Mode == "" {
		c.Mode = ChurnNamespaces
	}
	return c
}

// LocalMetricsDirectory is the metricsDirectory of the config's first local
// indexer that names one ("" when none does): where kube-burner writes the
// run's results.
func (s *Spec) LocalMetricsDirectory() string {
	for _, e := range s.MetricsEndpoints {
		if (e.Indexer.Type == "" || e.Indexer.Type == "local") && e.Indexer.MetricsDirectory != "" {
			return e.Indexer.MetricsDirectory
		}
	}
	return ""
}
