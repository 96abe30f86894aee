package metrics

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/perflab/perflab/exitcode"
)

// ErrAlert is wrapped by the errors of fired error and critical alerts.
var ErrAlert = errors.New("alert fired")

// validationTime is when profile queries are test-evaluated: an instant
// with no data, so the check costs the server nothing but parsing.
var validationTime = time.Unix(1, 0)

// Session collects metric profiles and evaluates alert profiles for each
// job of a run, against one or more Prometheus endpoints. It implements the
// run's job observer: JobFinished after each job, Finish at the end.
type Session struct {
	uuid      string
	endpoints []*endpointRun
	fired     []Firing // error severity, reported by Finish
	problems  []error  // unreachable endpoints, rejected queries
	files     map[string]int
}

type endpointRun struct {
	cfg     EndpointConfig
	client  *Client
	metrics []*MetricProfile
	alerts  []*AlertProfile
	indexer *LocalIndexer
	down    bool
}

// NewSession loads every profile (bad files are errors naming file:line),
// checks that each endpoint answers (an unreachable one is logged and
// reported by Finish; the run goes on without it) and has each reachable
// endpoint parse every query, so a PromQL syntax error stops the run before
// it starts, naming the profile entry.
func NewSession(ctx context.Context, uuid string, cfgs []EndpointConfig) (*Session, error) {
	s := &Session{uuid: uuid, files: map[string]int{}}
	for i, cfg := range cfgs {
		cfg = cfg.WithDefaults()
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
		ep := &endpointRun{cfg: cfg}
		var err error
		if ep.client, err = NewClient(cfg.endpoint()); err != nil {
			return nil, fmt.Errorf("metrics endpoint %d: %w", i+1, err)
		}
		for _, name := range cfg.Metrics {
			p, err := LoadMetricProfile(name)
			if err != nil {
				return nil, err
			}
			ep.metrics = append(ep.metrics, p)
		}
		for _, name := range cfg.Alerts {
			p, err := LoadAlertProfile(name)
			if err != nil {
				return nil, err
			}
			ep.alerts = append(ep.alerts, p)
		}
		if cfg.Indexer.Type == "local" {
			ep.indexer = &LocalIndexer{Dir: cmp.Or(cfg.Indexer.MetricsDirectory, DefaultMetricsDirectory)}
		}
		if err := ep.client.Ping(ctx); err != nil {
			slog.Error("metrics endpoint unreachable, skipping it", "endpoint", cfg.Endpoint, "err", err)
			s.problems = append(s.problems, err)
			ep.down = true
		} else if err := ep.validate(ctx); err != nil {
			return nil, err
		}
		s.endpoints = append(s.endpoints, ep)
	}
	return s, nil
}

// validate has the server parse every query of the endpoint's profiles.
func (ep *endpointRun) validate(ctx context.Context) error {
	check := func(src Source, query string) error {
		q, err := renderQuery(query, "60s")
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		if _, err := ep.client.Query(ctx, q, validationTime); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		return nil
	}
	for _, p := range ep.metrics {
		for _, m := range p.Metrics {
			if err := check(m.Source, m.Query); err != nil {
				return err
			}
		}
	}
	for _, p := range ep.alerts {
		for _, a := range p.Alerts {
			if err := check(a.Source, a.Expr); err != nil {
				return err
			}
		}
	}
	return nil
}

// JobFinished collects and indexes every metric profile over the job's
// window and evaluates the alert profiles. It returns an error only for a
// critical alert (wrapping ErrAlert, exit code 3): the run must stop.
func (s *Session) JobFinished(ctx context.Context, w Window) error {
	if w.UUID == "" {
		w.UUID = s.uuid
	}
	for _, ep := range s.endpoints {
		if ep.down {
			continue
		}
		if err := s.collect(ctx, ep, w); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) collect(ctx context.Context, ep *endpointRun, w Window) error {
	step := ep.cfg.Step
	for _, p := range ep.metrics {
		slog.Info("collecting metrics", "job", w.Name, "profile", p.Name, "endpoint", ep.cfg.Endpoint,
			"start", w.Start.UTC().Format(time.RFC3339), "end", w.End.UTC().Format(time.RFC3339))
		got, err := Collect(ctx, ep.client, p, w, step)
		if got != nil && ep.indexer != nil {
			s.index(ep, got.Docs)
		}
		if err != nil {
			s.problems = append(s.problems, fmt.Errorf("job %s: %w", w.Name, err))
			if errors.Is(err, ErrUnreachable) {
				slog.Error("metrics endpoint unreachable", "endpoint", ep.cfg.Endpoint, "err", err)
				ep.down = true
				return nil
			}
			slog.Error("metric profile", "job", w.Name, "err", err)
		}
	}
	var critical []Firing
	for _, p := range ep.alerts {
		fired, err := EvaluateAlerts(ctx, ep.client, p, w, step)
		if err != nil {
			s.problems = append(s.problems, fmt.Errorf("job %s: %w", w.Name, err))
			if errors.Is(err, ErrUnreachable) {
				ep.down = true
				return nil
			}
			slog.Error("alert profile", "job", w.Name, "err", err)
		}
		if len(fired) > 0 && ep.indexer != nil {
			docs := make([]any, len(fired))
			for i, f := range fired {
				docs[i] = AlertDocument{Timestamp: f.Timestamp, UUID: w.UUID, Severity: f.Severity, Description: f.Description, MetricName: AlertMetricName, JobName: w.Name}
			}
			if file, err := ep.indexer.Index(AlertMetricName, docs); err != nil {
				s.problems = append(s.problems, err)
			} else {
				s.files[file] += len(docs)
			}
		}
		for _, f := range fired {
			switch f.Severity {
			case SeverityError:
				s.fired = append(s.fired, f)
			case SeverityCritical:
				critical = append(critical, f)
			}
		}
	}
	if len(critical) > 0 {
		s.fired = append(s.fired, critical...)
		return exitcode.With(exitcode.Alert, fmt.Errorf("%w: critical: %s; stopping the run", ErrAlert, critical[0]))
	}
	return nil
}

func (s *Session) index(ep *endpointRun, docs map[string][]Document) {
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		anys := make([]any, len(docs[name]))
		for i := range docs[name] {
			anys[i] = docs[name][i]
		}
		file, err := ep.indexer.Index(name, anys)
		if err != nil {
			s.problems = append(s.problems, err)
			continue
		}
		s.files[file] += len(anys)
	}
}

// Unreachable returns the errors of endpoints that did not answer.
func (s *Session) Unreachable() []error {
	var out []error
	for _, err := range s.problems {
		if errors.Is(err, ErrUnreachable) {
			out = append(out, err)
		}
	}
	return out
}

// Files returns the files written so far with their document counts.
func (s *Session) Files() map[string]int { return s.files }

// Fired returns the error and critical alerts fired so far.
func (s *Session) Fired() []Firing { return s.fired }

// Finish reports the outcome: nil when every endpoint answered, every query
// ran and no error/critical alert fired. Fired alerts give exit code 3
// (ErrAlert); other problems (unreachable endpoint, rejected query) exit 1.
func (s *Session) Finish() error {
	for _, file := range slices.Sorted(maps.Keys(s.files)) {
		slog.Info("metrics written", "file", file, "documents", s.files[file])
	}
	problems := errors.Join(s.problems...)
	if len(s.fired) == 0 {
		if problems != nil {
			return fmt.Errorf("metrics: %w", problems)
		}
		return nil
	}
	msg := fmt.Errorf("%w: %d error/critical alert(s), first: %s", ErrAlert, len(s.fired), s.fired[0])
	return exitcode.With(exitcode.Alert, errors.Join(msg, problems))
}
