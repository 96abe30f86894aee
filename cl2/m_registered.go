package cl2

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/perflab/perflab/measure"
)

// registered runs a method implemented in package measure: start makes and
// starts an instance (a second start while it runs does nothing, as in
// CL2), gather collects it into summaries and checks.
type registered struct {
	entry measure.Entry
	m     measure.Measurement
}

func (r *registered) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	switch c.action {
	case "start":
		if r.m != nil {
			return nil, nil
		}
		cfg := measure.Config{Name: c.method, ID: c.identifier, Client: e.client, Clock: e.clock,
			Selector: selectorOf(c.params), Params: c.params, REST: e.rest}
		if e.prom != nil {
			cfg.Prometheus = e.prom // never a typed nil
		}
		m, err := r.entry.New(cfg)
		if err != nil {
			return nil, err
		}
		if err := m.Start(ctx); err != nil {
			m.Stop()
			return nil, err
		}
		r.m = m
		return nil, nil
	case "gather":
		if r.m == nil {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		res, err := r.m.Collect(ctx, c.params)
		r.m.Stop()
		r.m = nil
		if err != nil {
			return nil, err
		}
		return outcomeOf(res, e)
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

func (r *registered) dispose() {
	if r.m != nil {
		r.m.Stop()
		r.m = nil
	}
}

// outcomeOf turns a measure.Result into CL2 summaries (indented JSON) and
// checks.
func outcomeOf(res *measure.Result, e *env) (*outcome, error) {
	out := &outcome{checks: res.Checks}
	now := e.clock.Now()
	for _, f := range res.Files {
		b, err := json.MarshalIndent(f.Data, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", f.Name, err)
		}
		out.summaries = append(out.summaries, Summary{Name: f.Name, Ext: "json", Content: b, Time: now})
	}
	return out, nil
}
