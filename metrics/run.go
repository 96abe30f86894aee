package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/perflab/perflab/runenv"
)

// RunOptions are the metrics flags of a load run (perflab init and cl2):
// where to query, what to collect, which alerts to evaluate.
type RunOptions struct {
	// EndpointsFile is -e/--metrics-endpoint: kube-burner metricsEndpoints.
	EndpointsFile string
	// Profiles (-m) and Alerts (-a) query PrometheusURL, or the managed
	// Prometheus of an embedded cluster when no URL is given.
	Profiles      []string
	Alerts        []string
	PrometheusURL string
	// PrometheusAddr is where a managed Prometheus listens.
	PrometheusAddr string
	Step           time.Duration
	// MetricsDirectory is the run's results directory: the local indexer's
	// default (set by the run, not a flag).
	MetricsDirectory string
}

// AddFlags registers the run's metrics flags.
func (o *RunOptions) AddFlags(fs *pflag.FlagSet) {
	if o.PrometheusAddr == "" {
		o.PrometheusAddr = DefaultPrometheusAddr
	}
	if o.Step == 0 {
		o.Step = DefaultStep
	}
	fs.StringVarP(&o.EndpointsFile, "metrics-endpoint", "e", o.EndpointsFile, "YAML list of kube-burner metricsEndpoints")
	fs.StringSliceVarP(&o.Profiles, "metrics-profile", "m", o.Profiles, "metric profiles (files or built-in: "+strings.Join(BuiltinProfiles(), ", ")+"); with no -u on an embedded cluster, a managed Prometheus is started")
	fs.StringSliceVarP(&o.Alerts, "alert-profile", "a", o.Alerts, "alert profiles: error severity exits 3 at the end, critical stops the run")
	fs.StringVarP(&o.PrometheusURL, "prometheus-url", "u", o.PrometheusURL, "Prometheus to query for -m/-a")
	fs.StringVar(&o.PrometheusAddr, "prometheus-addr", o.PrometheusAddr, "listen address of the managed Prometheus (embedded cluster)")
	fs.DurationVar(&o.Step, "step", o.Step, "Prometheus range-query step for -m/-a")
}

// Run is a load run's metrics: a Session, and the managed Prometheus when
// one was started. It is the run's job observer.
type Run struct {
	*Session
	prom *Prometheus
}

// StartRun prepares metrics for a run. fromConfig are the metricsEndpoints of
// the job config; -e replaces them (as in kube-burner), -m/-a add one more
// endpoint. Endpoints without a URL, and -m/-a without -u, use a managed
// Prometheus, which needs an embedded cluster (env.Embedded). -u defaults to
// the environment's Prometheus. On an embedded
// cluster, an endpoint on a loopback address where nothing answers (a config
// written for http://localhost:9090) gets the managed Prometheus started
// there. It returns nil when the run asks for no metrics.
func StartRun(ctx context.Context, env *runenv.Env, o RunOptions, fromConfig []EndpointConfig, uuid string) (*Run, error) {
	emb := env.Embedded
	if o.PrometheusURL == "" && env.Prometheus != nil {
		o.PrometheusURL = env.Prometheus.URL
	}
	cfgs := slices.Clone(fromConfig)
	if o.EndpointsFile != "" {
		var err error
		if cfgs, err = LoadEndpoints(o.EndpointsFile); err != nil {
			return nil, err
		}
	}
	cfgs = Usable(cfgs)
	if len(o.Profiles) > 0 || len(o.Alerts) > 0 {
		cfgs = append(cfgs, EndpointConfig{
			Endpoint: o.PrometheusURL, Step: o.Step, Metrics: o.Profiles, Alerts: o.Alerts,
			Indexer: IndexerConfig{MetricsDirectory: o.MetricsDirectory},
		})
	}
	if len(cfgs) == 0 {
		return nil, nil
	}
	defaultDirectory(cfgs, o.MetricsDirectory)
	r := &Run{}
	for i := range cfgs {
		addr, ok := managedAddr(ctx, cfgs[i].Endpoint, o.PrometheusAddr, emb)
		if !ok {
			continue
		}
		if r.prom == nil {
			if emb == nil {
				return nil, errors.New("metrics: no Prometheus URL (-u or endpoint:) and no embedded cluster to start one for")
			}
			p, err := StartPrometheus(ctx, Options{ConfigFile: emb.PrometheusConfig, Addr: addr, DataDir: filepath.Join(emb.DataDir, "prometheus")})
			if err != nil {
				return nil, fmt.Errorf("managed Prometheus: %w", err)
			}
			r.prom = p
			if err := r.prom.WaitScrapedAfter(ctx, time.Now()); err != nil {
				_ = p.Stop()
				return nil, err
			}
		} else if cfgs[i].Endpoint != "" && addr != r.prom.Addr() {
			continue // one managed Prometheus per run; this endpoint stays as given
		}
		cfgs[i].Endpoint = r.prom.URL()
	}
	s, err := NewSession(ctx, uuid, cfgs)
	if err != nil {
		_ = r.prom.Stop()
		return nil, err
	}
	r.Session = s
	return r, nil
}

// managedAddr tells whether the endpoint should be served by a managed
// Prometheus, and where it listens.
func managedAddr(ctx context.Context, endpoint, defaultAddr string, emb *runenv.Embedded) (string, bool) {
	if endpoint == "" {
		return defaultAddr, true
	}
	if emb == nil {
		return "", false
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
		return "", false
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", false
	}
	c, err := NewClient(Endpoint{URL: endpoint})
	if err != nil {
		return "", false
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if c.Ping(pctx) == nil {
		return "", false // someone serves it already
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	slog.Info("nothing answers at the metrics endpoint; starting a managed Prometheus there for the embedded cluster", "endpoint", endpoint)
	return net.JoinHostPort(host, u.Port()), true
}

// Prometheus is the managed server, or nil.
func (r *Run) Prometheus() *Prometheus { return r.prom }

// JobFinished waits, with a managed Prometheus, until it has scraped past
// the job's end, then collects and evaluates alerts (see Session).
func (r *Run) JobFinished(ctx context.Context, w Window) error {
	if r.prom != nil {
		if err := r.prom.WaitScrapedAfter(ctx, w.End); err != nil {
			slog.Warn("managed Prometheus has not scraped past the job's end", "job", w.Name, "err", err)
		}
	}
	return r.Session.JobFinished(ctx, w)
}

// Close reports the run's metrics outcome (see Session.Finish) and stops a
// managed Prometheus.
func (r *Run) Close() error {
	if r == nil {
		return nil
	}
	err := r.Session.Finish()
	if r.prom != nil {
		_ = r.prom.Stop()
	}
	return err
}

// WaitScrapedAfter is WaitScraped against this server; it stops early
// when the server exits.
func (p *Prometheus) WaitScrapedAfter(ctx context.Context, t time.Time) error {
	c, err := NewClient(Endpoint{URL: p.URL()})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-p.exited:
			cancel(errExited)
		case <-ctx.Done():
		}
	}()
	err = WaitScraped(ctx, c, t)
	if errors.Is(context.Cause(ctx), errExited) {
		return fmt.Errorf("prometheus at %s exited: %s", p.URL(), p.logTail())
	}
	if err != nil {
		return fmt.Errorf("prometheus at %s: %w", p.URL(), err)
	}
	return nil
}

var errExited = errors.New("prometheus exited")
