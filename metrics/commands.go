package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// WindowOptions select the past window that index and check-alerts work on.
type WindowOptions struct {
	Start, End time.Time
	Step       time.Duration
	UUID       string // "" → a new UUID
	JobName    string
}

func (w WindowOptions) window() (Window, error) {
	if !w.End.After(w.Start) {
		return Window{}, fmt.Errorf("--start %s must be before --end %s", w.Start.UTC().Format(time.RFC3339), w.End.UTC().Format(time.RFC3339))
	}
	if w.Step < 0 {
		return Window{}, errors.New("--step must be positive")
	}
	id := w.UUID
	if id == "" {
		id = uuid.NewString()
	}
	return Window{Name: w.JobName, UUID: id, Start: w.Start, End: w.End}, nil
}

// IndexOptions configure `perflab index`: collect metric profiles over a
// past window into kube-burner's local-indexer files.
type IndexOptions struct {
	WindowOptions
	Endpoint         Endpoint
	Profiles         []string // files or built-in names
	EndpointsFile    string   // -e: replaces Endpoint/Profiles
	MetricsDirectory string
}

// Index runs `perflab index`.
func Index(ctx context.Context, o IndexOptions) error {
	w, err := o.window()
	if err != nil {
		return err
	}
	var cfgs []EndpointConfig
	if o.EndpointsFile != "" {
		if cfgs, err = LoadEndpoints(o.EndpointsFile); err != nil {
			return err
		}
		defaultDirectory(cfgs, o.MetricsDirectory)
	} else {
		if o.Endpoint.URL == "" {
			return errors.New("give a Prometheus URL with -u or an endpoints file with -e")
		}
		if len(o.Profiles) == 0 {
			return errors.New("give a metric profile with -m (a file, or a built-in: seed)")
		}
		cfgs = []EndpointConfig{endpointConfig(o.Endpoint, o.Step, o.MetricsDirectory, o.Profiles, nil)}
	}
	return runWindow(ctx, w, cfgs)
}

// CheckAlertsOptions configure `perflab check-alerts`.
type CheckAlertsOptions struct {
	WindowOptions
	Endpoint      Endpoint
	AlertProfiles []string
	// MetricsDirectory, when set, also writes alert.json there.
	MetricsDirectory string
}

// CheckAlerts evaluates alert profiles over a past window; error and
// critical alerts give exit code 3.
func CheckAlerts(ctx context.Context, o CheckAlertsOptions) error {
	w, err := o.window()
	if err != nil {
		return err
	}
	if o.Endpoint.URL == "" {
		return errors.New("give a Prometheus URL with -u")
	}
	if len(o.AlertProfiles) == 0 {
		return errors.New("give an alert profile with -a")
	}
	return runWindow(ctx, w, []EndpointConfig{endpointConfig(o.Endpoint, o.Step, o.MetricsDirectory, nil, o.AlertProfiles)})
}

func endpointConfig(e Endpoint, step time.Duration, dir string, metrics, alerts []string) EndpointConfig {
	skip := e.SkipTLSVerify
	cfg := EndpointConfig{
		Endpoint: e.URL, Token: e.Token, Username: e.Username, Password: e.Password,
		Step: step, SkipTLSVerify: &skip, Metrics: metrics, Alerts: alerts,
	}
	if dir != "" {
		cfg.Indexer = IndexerConfig{Type: "local", MetricsDirectory: dir}
	}
	return cfg
}

// runWindow treats the window as one finished job. Unlike a load run, a
// single unreachable endpoint fails the command (there is nothing else to
// report).
func runWindow(ctx context.Context, w Window, cfgs []EndpointConfig) error {
	s, err := NewSession(ctx, w.UUID, cfgs)
	if err != nil {
		return err
	}
	if down := s.Unreachable(); len(down) > 0 {
		return errors.Join(down...)
	}
	slog.Info("window", "uuid", w.UUID, "start", w.Start.UTC().Format(time.RFC3339), "end", w.End.UTC().Format(time.RFC3339))
	if err := s.JobFinished(ctx, w); err != nil {
		return errors.Join(err, s.Finish())
	}
	return s.Finish()
}
