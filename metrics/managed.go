package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/perflab/perflab/runenv"
)

// ClusterPrometheusOptions are `perflab cluster up`'s flags for a managed
// Prometheus scraping the embedded cluster.
type ClusterPrometheusOptions struct {
	Enabled bool
	Addr    string
}

// AddFlags registers --prometheus and --prometheus-addr.
func (o *ClusterPrometheusOptions) AddFlags(fs *pflag.FlagSet) {
	if o.Addr == "" {
		o.Addr = DefaultPrometheusAddr
	}
	fs.BoolVar(&o.Enabled, "prometheus", o.Enabled, "also run a Prometheus (the prometheus binary on PATH) scraping the cluster, stopped with it")
	fs.StringVar(&o.Addr, "prometheus-addr", o.Addr, "listen address of that Prometheus")
}

// Validate checks, before the cluster starts, that the binary is on PATH
// and the address is free.
func (o ClusterPrometheusOptions) Validate() error {
	if !o.Enabled {
		return nil
	}
	if _, err := exec.LookPath("prometheus"); err != nil {
		return fmt.Errorf("--prometheus: %w", ErrNoPrometheus)
	}
	if _, err := resolveListenAddr(o.Addr); err != nil {
		return fmt.Errorf("--prometheus-addr: %w", err)
	}
	return nil
}

// Start starts the managed Prometheus when enabled (nil, nil otherwise) with
// the cluster's scrape config, its storage in <dataDir>/prometheus, and
// prints where it listens.
func (o ClusterPrometheusOptions) Start(ctx context.Context, configFile, dataDir string, out io.Writer) (*Prometheus, error) {
	if !o.Enabled {
		return nil, nil
	}
	p, err := StartPrometheus(ctx, Options{ConfigFile: configFile, Addr: o.Addr, DataDir: filepath.Join(dataDir, "prometheus")})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  prometheus        %s (data %s)\n", p.URL(), p.DataDir())
	return p, nil
}

// ErrNotEmbedded is returned when a managed Prometheus is asked for a
// cluster perflab did not start.
var ErrNotEmbedded = errors.New("a managed Prometheus scrapes perflab's embedded cluster; for another cluster pass the URL of its Prometheus")

// StartEnvPrometheus starts a Prometheus scraping env's embedded cluster,
// listening on addr, makes it env's Prometheus and stops it when env
// closes.
func StartEnvPrometheus(ctx context.Context, env *runenv.Env, addr string) error {
	if env.Embedded == nil {
		return ErrNotEmbedded
	}
	p, err := StartPrometheus(ctx, Options{ConfigFile: env.Embedded.PrometheusConfig, Addr: addr})
	if err != nil {
		return err
	}
	env.Prometheus = &runenv.Prometheus{URL: p.URL(), Managed: true}
	env.OnClose(p.Stop)
	return nil
}
