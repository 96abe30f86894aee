package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/runenv"
)

// The one embedded cluster and the Prometheus scraping it, shared by every
// test of the package.
var (
	testCluster *cluster.Cluster
	testProm    *metrics.Prometheus
	// testEnv reaches testCluster as a kubeconfig-named cluster would:
	// no managed Prometheus is started for it.
	testEnv *runenv.Env
)

// scrapeInterval is shortened from the cluster's prometheus.yml so that
// windows of a few seconds hold several samples.
const scrapeInterval = time.Second

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("skipping: every test here needs the embedded cluster and Prometheus (-short)")
		return 0
	}
	if _, err := exec.LookPath("prometheus"); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "CI must install prometheus:", metrics.ErrNoPrometheus)
			return 1
		}
		fmt.Fprintln(os.Stderr, "skipping metrics integration tests:", metrics.ErrNoPrometheus)
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "embedded cluster:", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop embedded cluster:", err)
			code = 1
		}
	}()
	testCluster = c
	if testEnv, err = runenv.New(c.RESTConfig()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "perflab-metrics-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	cfg, err := fastScrapeConfig(c.PrometheusConfig(), filepath.Join(dir, "prometheus.yml"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	p, err := metrics.StartPrometheus(ctx, metrics.Options{ConfigFile: cfg, Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "prometheus")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := p.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop Prometheus:", err)
			code = 1
		}
	}()
	testProm = p
	if err := waitTargetsUp(ctx, p); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// fastScrapeConfig copies the cluster's Prometheus config with a 1s scrape
// interval everywhere.
func fastScrapeConfig(src, dst string) (string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("cluster prometheus config: %w", err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("%s: %w", src, err)
	}
	global, _ := cfg["global"].(map[string]any)
	if global == nil {
		global = map[string]any{}
	}
	global["scrape_interval"] = scrapeInterval.String()
	global["evaluation_interval"] = scrapeInterval.String()
	cfg["global"] = global
	if jobs, ok := cfg["scrape_configs"].([]any); ok {
		for _, j := range jobs {
			if job, ok := j.(map[string]any); ok {
				delete(job, "scrape_interval")
				delete(job, "scrape_timeout")
			}
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, out, 0o600)
}

// waitTargetsUp waits until every scrape target reports up.
func waitTargetsUp(ctx context.Context, p *metrics.Prometheus) error {
	c, err := metrics.NewClient(metrics.Endpoint{URL: p.URL()})
	if err != nil {
		return err
	}
	var last map[string]string
	for {
		last, err = c.ActiveTargets(ctx)
		if err == nil && len(last) > 0 {
			up := 0
			for _, h := range last {
				if h == "up" {
					up++
				}
			}
			if up == len(last) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("prometheus targets never all up: %v (%v)", last, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
