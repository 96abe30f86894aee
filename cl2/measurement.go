package cl2

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/progress"
	"github.com/perflab/perflab/wait"
)

// env is what measurements use to reach the cluster.
type env struct {
	rest    *rest.Config
	kube    *kube.Client
	client  kubernetes.Interface
	dynamic dynamic.Interface
	ops     *kube.Ops
	objects objectAPI
	// prefix and namespaces describe the automanaged namespaces.
	prefix     string
	namespaces int
	// prom is the Prometheus to query; nil means scrape /metrics directly.
	prom  *metrics.Client
	clock clock.WithTicker
	// progress is the run's progress line; waits report ready/total on it.
	progress *progress.Reporter
	// maxPodsHint is how to raise the node pod limit, told with a
	// "Too many pods" explanation.
	maxPodsHint string
}

// explainPending adds to a failed pod wait why the pods matching sel are
// not running (wait.ExplainPods), unless the run was interrupted.
func (e *env) explainPending(ctx context.Context, sel podSelector, err error) error {
	if ctx.Err() != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, explainTimeout)
	defer cancel()
	lines, xerr := wait.ExplainPods(dctx, e.client, sel.Namespace, sel.Labels, e.maxPodsHint)
	if xerr != nil || len(lines) == 0 {
		return err
	}
	for _, l := range lines {
		slog.Warn("not running: " + l)
	}
	return fmt.Errorf("%w; %s", err, strings.Join(lines, "; "))
}

// explainTimeout bounds explainPending.
const explainTimeout = 15 * time.Second

// waitProgress feeds a wait's status into the progress line.
func (e *env) waitProgress(s wait.Status) {
	if e.progress != nil {
		e.progress.SetReady(int64(s.Ready), int64(s.Total))
	}
}

// call is one invocation of a measurement from a step.
type call struct {
	method, identifier, action string
	params                     params
	at                         string // file:line, for messages
}

// measurement is one instance of a method, keyed by Method and Identifier.
// execute handles one call; dispose releases informers and goroutines.
type measurement interface {
	execute(ctx context.Context, e *env, c call) (*outcome, error)
	dispose()
}

// Summary is one report file a measurement produced.
type Summary struct {
	// Name is the file name stem before _<config name>_<time>.
	Name    string
	Ext     string
	Content []byte
	Time    time.Time
}

// Check is one SLO verdict shown in the summary screen and junit.
type Check = measure.Check

// podSelector is CL2's object selector: namespace, label and field selectors.
type podSelector = measure.Selector

func selectorOf(p params) podSelector {
	return podSelector{Namespace: p.Str("namespace", ""), Labels: p.Str("labelSelector", ""), Fields: p.Str("fieldSelector", "")}
}

// outcome is what a call produced.
type outcome struct {
	summaries []Summary
	checks    []Check
}

// ErrViolation marks an SLO violation (exit code Threshold) as opposed to
// a failure to measure.
var ErrViolation = errors.New("SLO violated")

// errCritical marks a failure after which the test stops (CL2's isFatal).
var errCritical = errors.New("critical")

func violations(checks []Check) error {
	var errs []error
	for _, c := range measure.Failed(checks) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrViolation, c.Name, c.Detail))
	}
	return errors.Join(errs...)
}

// instanceParams are a wrapper measurement's params for one instance: the
// shared params, overridden by the instance's own.
func instanceParams(m *Measurement, inst *MeasurementInstanceConfig) map[string]any {
	out := maps.Clone(m.Params)
	if out == nil {
		out = map[string]any{}
	}
	maps.Copy(out, inst.Params)
	return out
}

// expand turns a wrapper measurement into one measurement per instance;
// others are returned as they are.
func (m *Measurement) expand() []*Measurement {
	if len(m.Instances) == 0 {
		return []*Measurement{m}
	}
	out := make([]*Measurement, 0, len(m.Instances))
	for _, inst := range m.Instances {
		out = append(out, &Measurement{Method: m.Method, Identifier: inst.Identifier, Params: instanceParams(m, inst)})
	}
	return out
}
