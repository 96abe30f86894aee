package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/prometheus/common/model"
)

// Window is one job's time range; queries and alerts are evaluated over it.
type Window struct {
	Name  string // job name, copied to documents' jobName
	UUID  string // run UUID, copied to documents' uuid
	Start time.Time
	End   time.Time
}

// elapsed is the window length for the {{.elapsed}} template variable, in
// whole seconds (a valid PromQL duration, at least 1s).
func elapsed(w Window) string {
	s := int(w.End.Sub(w.Start).Seconds())
	return fmt.Sprintf("%ds", max(s, 1))
}

// Document is one collected sample in kube-burner's metric format.
type Document struct {
	Timestamp  time.Time         `json:"timestamp"`
	Labels     map[string]string `json:"labels,omitempty"`
	Value      float64           `json:"value"`
	UUID       string            `json:"uuid"`
	Query      string            `json:"query"`
	MetricName string            `json:"metricName,omitempty"`
	JobName    string            `json:"jobName,omitempty"`
}

// Collected is the outcome of one profile over one window: documents by
// metricName (a captureStart metric adds "<name>-start").
type Collected struct {
	Docs map[string][]Document
	// Empty lists metricNames whose query returned no samples.
	Empty []string
}

// Collect runs every query of the profile over the window: range queries at
// step over [start, end] (plus an instant query at end when the window is
// not a multiple of step, so the end is never missed), instant queries at
// end (and at start with captureStart). A query the server rejects is
// reported with its profile entry and the others still run; an unreachable
// server stops the collection.
func Collect(ctx context.Context, c *Client, p *MetricProfile, w Window, step time.Duration) (*Collected, error) {
	out := &Collected{Docs: map[string][]Document{}}
	var errs []error
	for _, m := range p.Metrics {
		query, err := renderQuery(m.Query, elapsed(w))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.Source, err))
			continue
		}
		docs, err := collectOne(ctx, c, m, query, w, step)
		if err != nil {
			if errors.Is(err, ErrUnreachable) || ctx.Err() != nil {
				return out, err
			}
			errs = append(errs, fmt.Errorf("%s: %w", m.Source, err))
			continue
		}
		for name, d := range docs {
			if len(d) == 0 {
				out.Empty = append(out.Empty, name)
				slog.Warn("no data points", "metric", name, "job", w.Name, "profile", m.Source.String(), "query", query)
				continue
			}
			out.Docs[name] = append(out.Docs[name], d...)
		}
	}
	return out, errors.Join(errs...)
}

func collectOne(ctx context.Context, c *Client, m Metric, query string, w Window, step time.Duration) (map[string][]Document, error) {
	docs := map[string][]Document{}
	instant := func(name string, at time.Time) error {
		v, err := c.Query(ctx, query, at)
		if err != nil {
			return err
		}
		docs[name] = append(docs[name], documents(v, query, name, w)...)
		return nil
	}
	if m.Instant {
		if m.CaptureStart {
			if err := instant(m.MetricName+"-start", w.Start); err != nil {
				return nil, err
			}
		}
		return docs, instant(m.MetricName, w.End)
	}
	v, err := c.QueryRange(ctx, query, w.Start, w.End, step)
	if err != nil {
		return nil, err
	}
	docs[m.MetricName] = documents(v, query, m.MetricName, w)
	if step > 0 && w.End.Sub(w.Start)%step != 0 {
		return docs, instant(m.MetricName, w.End)
	}
	return docs, nil
}

// documents flattens a query result into documents; NaN values become 0 as
// in kube-burner (JSON has no NaN).
func documents(v model.Value, query, name string, w Window) []Document {
	doc := func(m model.Metric, val model.SampleValue, ts model.Time) Document {
		f := float64(val)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			f = 0
		}
		return Document{
			Timestamp:  ts.Time().UTC(),
			Labels:     labelsOf(m, false),
			Value:      f,
			UUID:       w.UUID,
			Query:      query,
			MetricName: name,
			JobName:    w.Name,
		}
	}
	var out []Document
	switch v := v.(type) {
	case model.Matrix:
		for _, s := range v {
			for _, p := range s.Values {
				out = append(out, doc(s.Metric, p.Value, p.Timestamp))
			}
		}
	case model.Vector:
		for _, s := range v {
			out = append(out, doc(s.Metric, s.Value, s.Timestamp))
		}
	case *model.Scalar:
		out = append(out, doc(nil, v.Value, v.Timestamp))
	}
	return out
}
