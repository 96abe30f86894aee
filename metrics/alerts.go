package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"text/template"
	"time"

	"github.com/prometheus/common/model"
	yaml "go.yaml.in/yaml/v3"
)

// Severity of an alert, with kube-burner's effects.
type Severity string

// Severities: info and warning are logged; error makes the run exit 3 at its
// end; critical stops the run at once and exits 3.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityError    Severity = "error"
	SeverityCritical Severity = "critical"
)

// Alert is one entry of a kube-burner alert profile.
type Alert struct {
	Expr        string   `yaml:"expr"`
	Description string   `yaml:"description"`
	Severity    Severity `yaml:"severity"`
	Source      Source   `yaml:"-"`
	desc        *template.Template
}

// AlertProfile is a list of alerts evaluated over each job window.
type AlertProfile struct {
	Name   string
	Alerts []Alert
}

// descPrelude gives descriptions kube-burner's $labels and $value.
const descPrelude = "{{$labels := .Labels}}{{$value := .Value}}"

// LoadAlertProfile reads an alert profile file (or built-in name).
func LoadAlertProfile(name string) (*AlertProfile, error) {
	file, data, err := readProfile(name)
	if err != nil {
		return nil, err
	}
	return ParseAlertProfile(file, data)
}

// ParseAlertProfile parses alert profile YAML; file names the source in
// errors. A missing severity means info.
func ParseAlertProfile(file string, data []byte) (*AlertProfile, error) {
	p := &AlertProfile{Name: file}
	err := decodeList(file, data, func(node *yaml.Node, src Source) error {
		var a Alert
		if err := decodeStrict(node, &a); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		a.Source = src
		if strings.TrimSpace(a.Expr) == "" {
			return fmt.Errorf("%s: field expr: missing", src)
		}
		switch a.Severity {
		case "":
			a.Severity = SeverityInfo
		case SeverityInfo, SeverityWarning, SeverityError, SeverityCritical:
		default:
			return fmt.Errorf("%s: field severity %q: want info, warning, error or critical", src, a.Severity)
		}
		if _, err := renderQuery(a.Expr, "1s"); err != nil {
			return fmt.Errorf("%s: field expr: %w", src, err)
		}
		t, err := template.New("description").Parse(descPrelude + a.Description)
		if err != nil {
			return fmt.Errorf("%s: field description: %w", src, err)
		}
		a.desc = t
		p.Alerts = append(p.Alerts, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Firing is an alert whose expression returned a sample in the window: the
// first sample of each returned series.
type Firing struct {
	Timestamp   time.Time
	Severity    Severity
	Description string
	Expr        string
	Source      Source
	Labels      Labels
	Value       float64
}

func (f Firing) String() string {
	return fmt.Sprintf("alert %s at %s (%s): %s", f.Severity, f.Timestamp.UTC().Format(time.RFC3339), f.Source, f.Description)
}

// AlertDocument is kube-burner's indexed alert (metricName "alert").
type AlertDocument struct {
	Timestamp   time.Time `json:"timestamp"`
	UUID        string    `json:"uuid"`
	Severity    Severity  `json:"severity"`
	Description string    `json:"description"`
	MetricName  string    `json:"metricName"`
	JobName     string    `json:"jobName,omitempty"`
}

// AlertMetricName is the metricName (and file name) of alert documents.
const AlertMetricName = "alert"

// EvaluateAlerts runs every alert expression as a range query over the
// window and returns what fired. A query the server rejects is an error
// naming the profile entry; evaluation continues with the other alerts.
func EvaluateAlerts(ctx context.Context, c *Client, p *AlertProfile, w Window, step time.Duration) ([]Firing, error) {
	var firings []Firing
	var errs []error
	for _, a := range p.Alerts {
		expr, err := renderQuery(a.Expr, elapsed(w))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", a.Source, err))
			continue
		}
		v, err := c.QueryRange(ctx, expr, w.Start, w.End, step)
		if err != nil {
			if errors.Is(err, ErrUnreachable) || ctx.Err() != nil {
				return firings, err
			}
			errs = append(errs, fmt.Errorf("%s: %w", a.Source, err))
			continue
		}
		matrix, ok := v.(model.Matrix)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: expr returned %s, want a range vector", a.Source, v.Type()))
			continue
		}
		for _, series := range matrix {
			if len(series.Values) == 0 {
				continue
			}
			first := series.Values[0]
			f := Firing{
				Timestamp: first.Timestamp.Time().UTC(),
				Severity:  a.Severity,
				Expr:      expr,
				Source:    a.Source,
				Labels:    labelsOf(series.Metric, true),
				Value:     float64(first.Value),
			}
			f.Description = a.describe(f.Labels, f.Value)
			firings = append(firings, f)
			logFiring(f)
		}
	}
	return firings, errors.Join(errs...)
}

func (a *Alert) describe(labels Labels, value float64) string {
	if strings.TrimSpace(a.Description) == "" {
		return fmt.Sprintf("%s (value %v)", a.Expr, math.Round(value*1000)/1000)
	}
	var sb strings.Builder
	data := struct {
		Labels map[string]string
		Value  float64
	}{labels, math.Round(value*1000) / 1000}
	if err := a.desc.Execute(&sb, data); err != nil {
		return fmt.Sprintf("%s (description error: %v)", a.Description, err)
	}
	return sb.String()
}

func logFiring(f Firing) {
	attrs := []any{"severity", f.Severity, "at", f.Timestamp.Format(time.RFC3339), "profile", f.Source.String()}
	switch f.Severity {
	case SeverityInfo:
		slog.Info("alert: "+f.Description, attrs...)
	case SeverityWarning:
		slog.Warn("alert: "+f.Description, attrs...)
	default:
		slog.Error("alert: "+f.Description, attrs...)
	}
}

// labelsOf converts a Prometheus metric, dropping __name__ unless keepName.
func labelsOf(m model.Metric, keepName bool) Labels {
	out := make(Labels, len(m))
	for k, v := range m {
		if k == model.MetricNameLabel && !keepName {
			continue
		}
		out[string(k)] = string(v)
	}
	return out
}
