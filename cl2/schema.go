package cl2

import (
	"fmt"
	"time"

	yaml "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/internal/strictyaml"
)

// Config is one ClusterLoader2 test scenario. Field names follow the
// clusterloader2 api package so that existing configs decode unchanged.
type Config struct {
	Name string `yaml:"name"`
	// AutomanagedNamespaces is the deprecated spelling of Namespace.Number.
	AutomanagedNamespaces int32           `yaml:"automanagedNamespaces"`
	Namespace             NamespaceConfig `yaml:"namespace"`
	TuningSets            []*TuningSet    `yaml:"tuningSets"`
	Steps                 []*Step         `yaml:"steps"`
	// Dependencies and ChaosMonkey are part of the CL2 schema; perflab
	// rejects configs that use them instead of silently ignoring them.
	Dependencies []*Dependency     `yaml:"dependencies"`
	ChaosMonkey  ChaosMonkeyConfig `yaml:"chaosMonkey"`
}

// NamespaceConfig describes the automanaged namespaces <prefix>-1..<prefix>-N.
type NamespaceConfig struct {
	Number                      int32     `yaml:"number"`
	Prefix                      string    `yaml:"prefix"`
	DeleteStaleNamespaces       *bool     `yaml:"deleteStaleNamespaces"`
	DeleteAutomanagedNamespaces *bool     `yaml:"deleteAutomanagedNamespaces"`
	EnableExistingNamespaces    *bool     `yaml:"enableExistingNamespaces"`
	DeleteNamespaceTimeout      *Duration `yaml:"deleteNamespaceTimeout"`
}

// Step is exactly one of: a list of phases, a list of measurements, a module.
type Step struct {
	Name         string         `yaml:"name"`
	Phases       []*Phase       `yaml:"phases"`
	Measurements []*Measurement `yaml:"measurements"`
	Module       ModuleRef      `yaml:"module"`

	at stepPos
}

// IsModule reports whether the step refers to a module file.
func (s *Step) IsModule() bool { return s.Module.Path != "" }

// ModuleRef points to a file holding a Module, rendered with Params.
type ModuleRef struct {
	Path   string         `yaml:"path"`
	Params map[string]any `yaml:"params"`
}

// Module is a sequence of steps kept in its own file.
type Module struct {
	Steps []*Step `yaml:"steps"`
}

// Phase declares how many replicas of an object bundle exist per namespace.
type Phase struct {
	NamespaceRange       *NamespaceRange `yaml:"namespaceRange"`
	NamespaceList        []string        `yaml:"namespaceList"`
	ReplicasPerNamespace int32           `yaml:"replicasPerNamespace"`
	TuningSet            string          `yaml:"tuningSet"`
	ObjectBundle         []*Object       `yaml:"objectBundle"`
}

// NamespaceRange selects namespaces <basename>-<min>..<basename>-<max>;
// Basename defaults to the automanaged prefix.
type NamespaceRange struct {
	Min      int32   `yaml:"min"`
	Max      int32   `yaml:"max"`
	Basename *string `yaml:"basename"`
}

// Object is one member of an object bundle.
type Object struct {
	Basename                 string                    `yaml:"basename"`
	ObjectTemplatePath       string                    `yaml:"objectTemplatePath"`
	TemplateFillMap          map[string]any            `yaml:"templateFillMap"`
	ListUnknownObjectOptions *ListUnknownObjectOptions `yaml:"listUnknownObjectOptions"`
}

// ListUnknownObjectOptions makes a phase count objects that perflab did not
// create itself (by listing them) before reconciling.
type ListUnknownObjectOptions struct {
	LabelSelector *metav1.LabelSelector `yaml:"labelSelector"`
}

// TuningSet paces the actions of a phase; exactly one load kind is set.
type TuningSet struct {
	Name                      string                     `yaml:"name"`
	InitialDelay              Duration                   `yaml:"initialDelay"`
	QPSLoad                   *QPSLoad                   `yaml:"qpsLoad"`
	RandomizedLoad            *RandomizedLoad            `yaml:"randomizedLoad"`
	SteppedLoad               *SteppedLoad               `yaml:"steppedLoad"`
	TimeLimitedLoad           *TimeLimitedLoad           `yaml:"timeLimitedLoad"`
	RandomizedTimeLimitedLoad *RandomizedTimeLimitedLoad `yaml:"randomizedTimeLimitedLoad"`
	ParallelismLimitedLoad    *ParallelismLimitedLoad    `yaml:"parallelismLimitedLoad"`
	GlobalQPSLoad             *GlobalQPSLoad             `yaml:"globalQPSLoad"`
	PoissonLoad               *PoissonLoad               `yaml:"poissonLoad"`
}

// QPSLoad starts one action every 1/QPS seconds.
type QPSLoad struct {
	QPS float64 `yaml:"qps"`
}

// RandomizedLoad waits a uniform random time in [0, 2/AverageQPS) between starts.
type RandomizedLoad struct {
	AverageQPS float64 `yaml:"averageQps"`
}

// SteppedLoad starts BurstSize actions, then waits StepDelay.
type SteppedLoad struct {
	BurstSize int32    `yaml:"burstSize"`
	StepDelay Duration `yaml:"stepDelay"`
}

// TimeLimitedLoad spreads action starts evenly over TimeLimit.
type TimeLimitedLoad struct {
	TimeLimit Duration `yaml:"timeLimit"`
}

// RandomizedTimeLimitedLoad starts each action at a uniform random time in [0, TimeLimit).
type RandomizedTimeLimitedLoad struct {
	TimeLimit Duration `yaml:"timeLimit"`
}

// ParallelismLimitedLoad runs at most ParallelismLimit actions at once.
type ParallelismLimitedLoad struct {
	ParallelismLimit int32 `yaml:"parallelismLimit"`
}

// GlobalQPSLoad is a token bucket shared by every phase naming this tuning set.
type GlobalQPSLoad struct {
	QPS   float64 `yaml:"qps"`
	Burst int     `yaml:"burst"`
}

// PoissonLoad starts actions with exponentially distributed gaps.
type PoissonLoad struct {
	ExpectedActionsPerSecond float64 `yaml:"expectedActionsPerSecond"`
}

// Measurement is one call of a measurement method (start, gather, ...).
type Measurement struct {
	Method     string                       `yaml:"method"`
	Identifier string                       `yaml:"identifier"`
	Params     map[string]any               `yaml:"params"`
	Instances  []*MeasurementInstanceConfig `yaml:"instances"`
}

// MeasurementInstanceConfig is one instance of a wrapper measurement.
type MeasurementInstanceConfig struct {
	Identifier string         `yaml:"identifier"`
	Params     map[string]any `yaml:"params"`
}

// Dependency is a CL2 dependency (not supported by perflab).
type Dependency struct {
	Name    string         `yaml:"name"`
	Method  string         `yaml:"method"`
	Timeout Duration       `yaml:"timeout"`
	Params  map[string]any `yaml:"params"`
}

// ChaosMonkeyConfig is CL2's simulated node failure config (not supported).
type ChaosMonkeyConfig struct {
	NodeFailure   *NodeFailureConfig `yaml:"nodeFailure"`
	ExcludedNodes []string           `yaml:"excludedNodes"`
}

// NodeFailureConfig is part of ChaosMonkeyConfig.
type NodeFailureConfig struct {
	FailureRate       float64  `yaml:"failureRate"`
	Interval          Duration `yaml:"interval"`
	JitterFactor      float64  `yaml:"jitterFactor"`
	SimulatedDowntime Duration `yaml:"simulatedDowntime"`
}

// Duration is a time.Duration written as a Go duration string ("30s").
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML reads a Go duration string (the decoder has left null
// alone).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a duration such as 30s, got a %s", strictyaml.KindName(n))
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// parseDuration accepts Go duration strings; a bare 0 means zero.
func parseDuration(s string) (Duration, error) {
	if s == "0" {
		return 0, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 30s or 5m, got %q", s)
	}
	return Duration(v), nil
}
