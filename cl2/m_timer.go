package cl2

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/perflab/perflab/results"
)

// timer is CL2's Timer: start and stop a labelled stopwatch; gather writes
// every stopped duration in seconds.
type timer struct {
	mu        sync.Mutex
	started   map[string]time.Time
	durations map[string]time.Duration
}

func newTimer() measurement {
	return &timer{started: map[string]time.Time{}, durations: map[string]time.Duration{}}
}

func (t *timer) dispose() {}

func (t *timer) execute(_ context.Context, e *env, c call) (*outcome, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	label := c.params.Str("label", "")
	switch c.action {
	case "start":
		t.started[label] = e.clock.Now()
		return nil, nil
	case "stop":
		s, ok := t.started[label]
		if !ok {
			return nil, fmt.Errorf("timer %q was not started", label)
		}
		t.durations[label] = e.clock.Since(s)
		delete(t.started, label)
		return nil, nil
	case "gather":
		item := results.DataItem{Unit: "s", Labels: map[string]string{"test": "phases"}, Data: map[string]float64{}}
		for l, d := range t.durations {
			item.Data[l] = d.Seconds()
		}
		content, err := json.MarshalIndent(results.PerfData{Version: "v1", DataItems: []results.DataItem{item}}, "", "  ")
		if err != nil {
			return nil, err
		}
		return &outcome{summaries: []Summary{{Name: "Timer", Ext: "json", Content: content, Time: e.clock.Now()}}}, nil
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

// sleep is CL2's Sleep.
type sleep struct{}

func newSleep() measurement { return sleep{} }

func (sleep) dispose() {}

func (sleep) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	d := c.params.Duration("duration", 0)
	if !sleepUntil(ctx, e.clock, e.clock.Now().Add(d)) {
		return nil, ctx.Err()
	}
	return nil, nil
}
