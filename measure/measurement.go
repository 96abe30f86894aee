package measure

import (
	"context"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"

	"github.com/perflab/perflab/metrics"
)

// Measurement is one running instance of a measurement. Start returns once
// it observes the cluster (its informers have synced); Collect stops it and
// returns what it measured; Stop releases what Start took and may be called
// more than once, also after Collect. Start and Collect must return when
// ctx is canceled.
type Measurement interface {
	Start(ctx context.Context) error
	// Collect reads p, the parameters given when the results are gathered
	// (ClusterLoader2's gather action; kube-burner has none: NoParams).
	Collect(ctx context.Context, p Params) (*Result, error)
	Stop()
}

// Result is what a measurement produced: files for the engine to write,
// and verdicts against thresholds.
type Result struct {
	Files  []File
	Checks []Check
	// Quantiles are the kube-burner quantile documents among Files, for the
	// engine's log lines and summary.
	Quantiles []LatencyQuantiles
}

// File is one JSON results file. Name has no extension: kube-burner's
// "<metricName>-<job>", ClusterLoader2's summary stem before
// "_<config>_<time>".
type File struct {
	Name string
	Data any
}

// Check is one verdict against a threshold or SLO.
type Check struct {
	Name   string // e.g. "PodStartupLatency pod_startup p99"
	Pass   bool
	Detail string // e.g. "1.2s <= 5s"; for a failed check, the error text
	// Enforced is false when a failure must only be logged (ClusterLoader2's
	// enableViolations: false); such checks never fail the run.
	Enforced bool
}

// Failed returns the enforced checks that did not pass.
func Failed(checks []Check) []Check {
	var out []Check
	for _, c := range checks {
		if !c.Pass && c.Enforced {
			out = append(out, c)
		}
	}
	return out
}

// Params are a call's parameters, already validated by the engine; each
// getter returns def when the key is absent.
type Params interface {
	Str(key, def string) string
	Int(key string, def int) int
	Float(key string, def float64) float64
	Bool(key string, def bool) bool
	Duration(key string, def time.Duration) time.Duration
}

// NoParams has no parameters: every getter returns its default.
type NoParams struct{}

func (NoParams) Str(_, def string) string                           { return def }
func (NoParams) Int(_ string, def int) int                          { return def }
func (NoParams) Float(_ string, def float64) float64                { return def }
func (NoParams) Bool(_ string, def bool) bool                       { return def }
func (NoParams) Duration(_ string, def time.Duration) time.Duration { return def }

// Selector selects the objects a measurement watches.
type Selector struct {
	Namespace string // "" for all
	Labels    string // label selector
	Fields    string // field selector
}

// Config is what a Factory gets to make one instance.
type Config struct {
	// Name is the measurement's name as the config wrote it.
	Name   string
	Client kubernetes.Interface
	Clock  clock.WithTicker
	Selector
	// Params are the start parameters (ClusterLoader2); NoParams otherwise.
	Params Params

	// ID is ClusterLoader2's identifier, part of summary names.
	ID string
	// UUID and Job label kube-burner's documents; JobType is kube-burner's
	// job type (create, delete, patch, ...).
	UUID, Job, JobType string
	// Thresholds are kube-burner's latency thresholds for this measurement.
	Thresholds []Threshold

	// REST reaches the API server's own /metrics (API responsiveness
	// without a Prometheus).
	REST *rest.Config
	// Prometheus, when not nil, is queried instead of scraping /metrics.
	Prometheus metrics.Querier
}

// now returns the config's clock time.
func (c *Config) now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock.Now()
}
