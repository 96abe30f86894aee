package cl2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/clock"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/progress"
	"github.com/perflab/perflab/runenv"
)

// Options configure one run of a CL2 test.
type Options struct {
	Load      LoadOptions
	ReportDir string
	// Env is the cluster under test. On an embedded cluster the nodes are
	// simulated (kwok): containers never run, so configs relying on them
	// are rejected. The Env's Prometheus, when it has one, answers
	// APIResponsiveness queries; without one the API server's /metrics is
	// scraped instead.
	Env *runenv.Env
	// Out receives the one-screen summary; nil discards it.
	Out io.Writer
	// Clock drives tuning sets and measurements; nil is the real clock.
	Clock clock.WithTicker
	// Progress receives the periodic progress line; nil discards it.
	Progress io.Writer
	// ProgressEvery is the progress line period (default 10s).
	ProgressEvery time.Duration
	// QPS and Burst size the run's one token bucket for object calls
	// (defaults 200 and 400); tuning sets pace actions below that.
	QPS   float32
	Burst int
}

// runner executes one loaded test.
type runner struct {
	t        *Test
	env      *env
	objects  objectAPI
	pacers   *pacers
	state    *replicaState
	progress *progress.Reporter
	actions  atomic.Int64 // phase actions planned so far

	mu           sync.Mutex
	measurements map[string]measurement
	report       *Report
}

// Run loads the config, runs its steps against the cluster and writes the
// report. The error is Problems for bad input, wraps ErrViolation when an
// enforced SLO failed, and is otherwise a failure to run.
func Run(ctx context.Context, o Options) (*Report, error) {
	e, err := newEnv(o)
	if err != nil {
		return nil, err
	}
	nodes, err := schedulableNodes(ctx, e)
	if err != nil {
		return nil, err
	}
	lo := o.Load
	if lo.Nodes == 0 { // CL2's --nodes wins over the count
		lo.Nodes = nodes
	}
	t, err := Load(lo)
	if t != nil {
		for _, w := range t.Warnings {
			slog.Warn(w.String())
		}
	}
	var ps Problems
	if err != nil && !errors.As(err, &ps) {
		return nil, err
	}
	if o.Env.Embedded != nil && t != nil {
		ps = append(ps, t.SimulatedNodeProblems()...)
	}
	if len(ps) > 0 {
		return nil, ps.Err()
	}
	slog.Info("plan", "test", t.Config.Name, "totals", t.Totals.String())
	e.prefix, e.namespaces = t.Config.Namespace.Prefix, int(t.Config.Namespace.Number)
	if err := t.checkNamespaces(ctx, e); err != nil {
		return nil, err
	}
	every := o.ProgressEvery
	if every == 0 {
		every = 10 * time.Second
	}
	r := &runner{t: t, env: e, objects: e.objects, state: newReplicaState(),
		progress:     progress.New(progress.Options{Name: t.Config.Name, Unit: "actions", Interval: every, Out: o.Progress, Now: e.clock.Now}),
		pacers:       newPacers(t.Config.TuningSets, e.clock, uint64(time.Now().UnixNano())),
		measurements: map[string]measurement{},
		report:       &Report{Name: t.Config.Name, ConfigPath: t.Path, Start: e.clock.Now()},
	}
	e.progress = r.progress
	runErr := r.run(ctx, o)
	if runErr != nil && !r.report.Failed() {
		// A failure outside any step (namespaces, Ctrl-C) fails the report too.
		r.report.Err = runErr
	}
	r.report.Duration = e.clock.Since(r.report.Start)
	if o.ReportDir != "" {
		if err := r.report.Write(o.ReportDir); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if o.Out != nil {
		r.report.PrintSummary(o.Out)
	}
	return r.report, errors.Join(runErr, r.report.violations())
}

func newEnv(o Options) (*env, error) {
	if o.Env == nil {
		return nil, errors.New("no cluster: Env is nil")
	}
	kc := o.Env.Client
	var prom *metrics.Client
	if p := o.Env.Prometheus; p != nil {
		var err error
		if prom, err = metrics.NewClient(metrics.Endpoint{URL: p.URL}); err != nil {
			return nil, err
		}
	}
	qps, burst := o.QPS, o.Burst
	if qps == 0 {
		qps, burst = 200, 400
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	ops := kube.NewOps(kc, kube.NewLimiter(qps, burst), kube.DefaultRetry, nil)
	e := &env{rest: kc.Config, kube: kc, client: kc.Typed, dynamic: kc.Dynamic, ops: ops, objects: kubeObjects{ops},
		prom: prom, clock: clk, maxPodsHint: o.Env.MaxPodsHint()}
	return e, nil
}

// schedulableNodes is the template variable .Nodes.
func schedulableNodes(ctx context.Context, e *env) (int, error) {
	l, err := e.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, fmt.Errorf("list nodes: %w", err)
	}
	n := 0
	for _, node := range l.Items {
		if node.Spec.Unschedulable {
			continue
		}
		n++
		for _, t := range node.Spec.Taints {
			if t.Effect == corev1.TaintEffectNoSchedule && t.Key == "node-role.kubernetes.io/control-plane" {
				n--
				break
			}
		}
	}
	return n, nil
}

func (r *runner) run(ctx context.Context, o Options) error {
	c := r.t.Config
	created, err := createNamespaces(ctx, r.env, c)
	if *c.Namespace.DeleteAutomanagedNamespaces {
		defer func() {
			// Clean up even when ctx was cancelled (Ctrl-C).
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.Namespace.DeleteNamespaceTimeout.D())
			defer cancel()
			slog.Info("deleting test namespaces", "count", len(created))
			if err := deleteNamespaces(cctx, r.env, created, c.Namespace.DeleteNamespaceTimeout.D()); err != nil {
				slog.Error("cleanup", "err", err)
			}
		}()
	}
	if err != nil {
		return err
	}
	defer r.disposeAll()
	defer r.progress.Start(ctx)()

	var errs []error
	for i, s := range r.t.Steps {
		name := fmt.Sprintf("[step: %02d] %s", i+1, s.Name)
		slog.Info("step started", "step", name)
		stepErr := r.runStep(ctx, name, s)
		if stepErr != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, stepErr))
		}
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if errors.Is(stepErr, errCritical) {
			slog.Error("critical failure, skipping the remaining steps", "step", name)
			break
		}
	}
	return errors.Join(errs...)
}

// runStep runs a step's measurements and phases in parallel.
func (r *runner) runStep(ctx context.Context, name string, s *Step) error {
	start := r.env.clock.Now()
	var wg sync.WaitGroup
	// A wrapper measurement runs as one measurement per instance.
	type run struct {
		at int // index in the step, for the file position
		m  *Measurement
	}
	var runs []run
	for i, m := range s.Measurements {
		for _, one := range m.expand() {
			runs = append(runs, run{i, one})
		}
	}
	subs := make([]StepResult, len(runs))
	var phaseErrs errorList
	for k, mr := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := r.env.clock.Now()
			err := r.runMeasurement(ctx, s, mr.at, mr.m)
			subs[k] = StepResult{Name: fmt.Sprintf("%s [%02d] - %s", name, k, mr.m.Identifier), Duration: r.env.clock.Since(t0), Err: err}
		}()
	}
	for _, ph := range s.Phases {
		wg.Add(1)
		go func() { defer wg.Done(); phaseErrs.add(r.runPhase(ctx, ph)) }()
	}
	wg.Wait()
	res := StepResult{Name: name, Duration: r.env.clock.Since(start), Err: phaseErrs.err()}
	var errs []error
	if res.Err != nil {
		errs = append(errs, res.Err)
	}
	r.mu.Lock()
	if len(s.Phases) > 0 || len(subs) == 0 {
		r.report.Steps = append(r.report.Steps, res)
	}
	for _, sub := range subs {
		r.report.Steps = append(r.report.Steps, sub)
		if sub.Err != nil {
			errs = append(errs, sub.Err)
		}
	}
	r.mu.Unlock()
	return errors.Join(errs...)
}

func (r *runner) runMeasurement(ctx context.Context, s *Step, i int, m *Measurement) error {
	spec, ok := methods[m.Method]
	if !ok {
		// Validation warned once per method; each call is only logged.
		why, _ := skipReason(m.Method)
		slog.Debug("measurement not run by perflab; skipped", "method", m.Method, "identifier", m.Identifier, "why", why)
		return nil
	}
	at := fmt.Sprintf("%s:%d", s.at.pos.File, s.at.pos.Line(fmt.Sprintf("%s.measurements[%d]", s.at.path, i)))
	p := params(m.Params)
	if missing := spec.missingParams(p.Str("action", ""), p); len(missing) > 0 {
		return fmt.Errorf("%s %s (%s): param %s missing", m.Method, m.Identifier, at, strings.Join(missing, ", "))
	}
	key := m.Method + "/" + m.Identifier
	r.mu.Lock()
	inst, ok := r.measurements[key]
	if !ok {
		inst = spec.newFn()
		r.measurements[key] = inst
	}
	r.mu.Unlock()
	c := call{method: m.Method, identifier: m.Identifier, action: p.Str("action", ""), params: p, at: at}
	out, err := inst.execute(ctx, r.env, c)
	if err != nil {
		return fmt.Errorf("%s %s (%s): %w", m.Method, m.Identifier, c.at, err)
	}
	if out != nil {
		r.mu.Lock()
		r.report.Summaries = append(r.report.Summaries, out.summaries...)
		r.report.Checks = append(r.report.Checks, out.checks...)
		r.mu.Unlock()
		for _, chk := range out.checks {
			lvl := slog.LevelInfo
			if !chk.Pass {
				lvl = slog.LevelWarn
			}
			slog.Log(ctx, lvl, "check", "name", chk.Name, "pass", chk.Pass, "detail", chk.Detail)
		}
	}
	return nil
}

func (r *runner) disposeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.measurements {
		m.dispose()
	}
}
