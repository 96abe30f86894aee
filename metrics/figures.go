package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/perflab/perflab/progress"
	"github.com/perflab/perflab/results"
)

// Figure is one of the seed profile's figures computed from two scrapes,
// named like the seed profile's metricName.
type Figure struct {
	MetricName string   `json:"metricName"`
	Unit       string   `json:"unit"`
	Series     []Series `json:"series"`
}

// Figures are the seed guide's control-plane figures over a window, computed
// locally (no Prometheus): counter rates over the window and histogram
// quantiles of the bucket increases.
type Figures struct {
	Start, End time.Time
	Window     time.Duration
	// TotalRequests is the increase of apiserver_request_total.
	TotalRequests float64
	Figures       []Figure
}

var errorCode = regexp.MustCompile(`^[45]..$`)

// ComputeFigures derives the seed profile's figures from a Delta.
func ComputeFigures(d *Snapshot) Figures {
	secs := d.Window.Seconds()
	rate := func(ss []Series) []Series {
		for i := range ss {
			ss[i].Value /= secs
		}
		return ss
	}
	quantile := func(q float64, hs []HistogramSeries) []Series {
		var out []Series
		for _, h := range hs {
			if v := h.Quantile(q); !math.IsNaN(v) {
				out = append(out, Series{Labels: h.Labels, Value: v})
			}
		}
		return out
	}
	hasResource := func(l Labels) bool { return l["resource"] != "" }
	isError := func(l Labels) bool { return errorCode.MatchString(l["code"]) }
	f := Figures{Start: d.Time.Add(-d.Window), End: d.Time, Window: d.Window}
	for _, s := range d.Sum("apiserver_request_total", nil) {
		f.TotalRequests += s.Value
	}
	f.Figures = []Figure{
		{"apiserverRequestRate", "req/s", rate(d.Sum("apiserver_request_total", hasResource, "resource", "code", "verb"))},
		{"apiserverQPSByVerb", "req/s", rate(d.Sum("apiserver_request_total", nil, "verb"))},
		{"apiserverP90LatencyByVerb", "s", quantile(0.90, d.SumHistogram("apiserver_request_duration_seconds", nil, "verb"))},
		{"etcdP99LatencyByOperation", "s", quantile(0.99, d.SumHistogram("etcd_request_duration_seconds", nil, "operation", "type"))},
		{"workqueueDepthByName", "items", d.Sum("workqueue_depth", nil, "name")},
		{"apiserverErrorRateByCode", "req/s", rate(d.Sum("apiserver_request_total", isError, "code"))},
		{"apiserverRequestsByVerb", "requests", d.Sum("apiserver_request_total", nil, "verb")},
	}
	return f
}

// WriteText prints the figures as one table per figure, leaving out
// series at zero.
func (f Figures) WriteText(w io.Writer) error {
	head := results.Table{}
	head.Add("window", fmt.Sprintf("%s .. %s (%s)", f.Start.UTC().Format(time.RFC3339), f.End.UTC().Format(time.RFC3339), f.Window.Round(time.Millisecond)))
	head.Add("requests", fmt.Sprintf("%.0f (%.1f/s)", f.TotalRequests, f.TotalRequests/f.Window.Seconds()))
	if err := head.Render(w); err != nil {
		return err
	}
	for _, fig := range f.Figures {
		t := results.Table{Title: fmt.Sprintf("\n%s (%s)", fig.MetricName, fig.Unit), Indent: "  "}
		zeros := 0
		for _, s := range fig.Series {
			if s.Value == 0 {
				zeros++
				continue
			}
			t.Add(labelText(s.Labels), formatValue(s.Value))
		}
		if len(fig.Series) == 0 {
			t.Add("(no data)")
		}
		if err := t.Render(w); err != nil {
			return err
		}
		if zeros > 0 {
			if _, err := fmt.Fprintf(w, "  (%d series at 0 not shown; --json has all)\n", zeros); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteJSON prints the figures as JSON.
func (f Figures) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Start         time.Time `json:"start"`
		End           time.Time `json:"end"`
		WindowSeconds float64   `json:"windowSeconds"`
		TotalRequests float64   `json:"totalRequests"`
		Figures       []Figure  `json:"figures"`
	}{f.Start.UTC(), f.End.UTC(), f.Window.Seconds(), f.TotalRequests, f.Figures})
}

func labelText(l Labels) string {
	if len(l) == 0 {
		return "(all)"
	}
	return strings.Trim(l.String(), "{}")
}

func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// SnapshotOptions configure `perflab metrics snapshot`.
type SnapshotOptions struct {
	Targets  []Target
	Interval time.Duration
	JSON     bool
	Progress io.Writer // the wait's progress lines (stderr in commands); nil: none
	// ProgressEvery is how often the wait prints a line; 10s by default.
	ProgressEvery time.Duration
}

// TakeSnapshot scrapes the targets, waits Interval (showing progress),
// scrapes again and writes the figures for the window between.
func TakeSnapshot(ctx context.Context, o SnapshotOptions, w io.Writer) error {
	if o.Interval <= 0 {
		return fmt.Errorf("--interval must be positive, got %s", o.Interval)
	}
	before, err := Scrape(ctx, o.Targets...)
	if err != nil {
		return err
	}
	slog.Info("first scrape done; waiting", "interval", o.Interval, "targets", len(o.Targets))
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 10 * time.Second
	}
	err = progress.Wait(ctx, o.Interval, progress.Options{Name: "waiting for the second scrape", Interval: o.ProgressEvery, Out: o.Progress})
	if err != nil {
		return err
	}
	after, err := Scrape(ctx, o.Targets...)
	if err != nil {
		return err
	}
	f := ComputeFigures(Delta(before, after))
	if o.JSON {
		return f.WriteJSON(w)
	}
	return f.WriteText(w)
}
