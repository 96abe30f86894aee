package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/metrics"
)

// selfScrapingPrometheus starts a real Prometheus that scrapes its own
// /metrics every second, and waits until it holds a few seconds of data.
func selfScrapingPrometheus(t *testing.T) *metrics.Prometheus {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a Prometheus server (-short)")
	}
	if _, err := exec.LookPath("prometheus"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(metrics.ErrNoPrometheus)
		}
		t.Skip(metrics.ErrNoPrometheus)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	body := fmt.Sprintf("global: {scrape_interval: 1s}\nscrape_configs:\n- job_name: prometheus\n  static_configs: [{targets: [%q]}]\n", addr)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := metrics.StartPrometheus(ctx, metrics.Options{ConfigFile: cfg, Addr: addr, DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop() })
	// The first scrape comes a few seconds after start (target discovery);
	// then wait for four more seconds of samples.
	if err := p.WaitScrapedAfter(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitScrapedAfter(ctx, time.Now().Add(4*time.Second)); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIndexAndCheckAlertsCommands(t *testing.T) {
	p := selfScrapingPrometheus(t)
	dir := t.TempDir()
	t.Chdir(dir) // index writes its run log, kube-burner-<uuid>.log, here
	write := func(name, body string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	end := time.Now()
	window := []string{"--start", strconv.FormatInt(end.Add(-4*time.Second).Unix(), 10), "--end", end.UTC().Format(time.RFC3339), "-s", "1s"}

	t.Run("index", func(t *testing.T) {
		profile := write("m.yml", "- query: sum by (job) (rate(prometheus_http_requests_total[3s]))\n  metricName: httpRate\n- query: up\n  metricName: up\n  instant: true\n")
		out := filepath.Join(dir, "out")
		tgz := filepath.Join(dir, "metrics.tgz")
		args := append([]string{"index", "-u", p.URL(), "-m", profile, "--metrics-directory", out, "--uuid", "u-1", "-j", "past", "--tarball-name", tgz}, window...)
		if _, err := runCLI(t, args...); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(tgz); err != nil || st.Size() == 0 {
			t.Errorf("--tarball-name wrote no tarball: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "kube-burner-u-1.log")); err != nil {
			t.Errorf("index wrote no run log: %v", err)
		}
		for _, name := range []string{"httpRate.json", "up.json"} {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			var docs []metrics.Document
			if err := json.Unmarshal(b, &docs); err != nil || len(docs) == 0 {
				t.Fatalf("%s: %d documents, %v", name, len(docs), err)
			}
			if d := docs[0]; d.UUID != "u-1" || d.JobName != "past" || d.Labels["job"] != "prometheus" {
				t.Fatalf("%s: %+v", name, d)
			}
		}
	})
	t.Run("index -e endpoints file", func(t *testing.T) {
		write("e.yml", "- query: up\n  metricName: upFromEndpoints\n")
		out := filepath.Join(dir, "out-e")
		ep := write("endpoints.yml", fmt.Sprintf("- endpoint: %s\n  step: 1s\n  metrics: [e.yml]\n  indexer: {type: local, metricsDirectory: %s}\n", p.URL(), out))
		if _, err := runCLI(t, append([]string{"index", "-e", ep}, window...)...); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(out, "upFromEndpoints.json")); err != nil {
			t.Fatalf("profile named relative to the endpoints file: %v", err)
		}
	})
	t.Run("index with a PromQL syntax error", func(t *testing.T) {
		bad := write("bad.yml", "- query: up\n  metricName: up\n- query: rate(up[1m]\n  metricName: broken\n")
		_, err := runCLI(t, append([]string{"index", "-u", p.URL(), "-m", bad}, window...)...)
		if err == nil || !strings.Contains(err.Error(), bad+":3 (entry 2)") || exitcode.Of(err) != exitcode.Error {
			t.Fatalf("err = %v, want exit 1 naming %s:3 (entry 2)", err, bad)
		}
	})
	t.Run("check-alerts error severity exits 3", func(t *testing.T) {
		alerts := write("a.yml", "- expr: up == 1\n  description: '{{$labels.job}} up'\n  severity: error\n")
		_, err := runCLI(t, append([]string{"check-alerts", "-u", p.URL(), "-a", alerts, "--metrics-directory", filepath.Join(dir, "alerts")}, window...)...)
		if exitcode.Of(err) != exitcode.Alert {
			t.Fatalf("err = %v (exit %d), want exit 3", err, exitcode.Of(err))
		}
		if _, err := os.Stat(filepath.Join(dir, "alerts", "alert.json")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("check-alerts warning passes", func(t *testing.T) {
		alerts := write("w.yml", "- expr: up == 1\n  description: up\n  severity: warning\n")
		if _, err := runCLI(t, append([]string{"check-alerts", "-u", p.URL(), "-a", alerts}, window...)...); err != nil {
			t.Fatalf("a warning must not fail: %v", err)
		}
	})
	t.Run("unreachable Prometheus", func(t *testing.T) {
		_, err := runCLI(t, append([]string{"index", "-u", "http://127.0.0.1:1", "-m", "seed"}, window...)...)
		if err == nil || !strings.Contains(err.Error(), "unreachable at http://127.0.0.1:1") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestGrafanaDashboardCommand(t *testing.T) {
	out, err := runCLI(t, "grafana-dashboard", "-m", "seed")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string
		Panels []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if d.Title != "perflab: seed" || len(d.Panels) != 7 {
		t.Fatalf("dashboard %q with %d panels, want the seed's 7", d.Title, len(d.Panels))
	}
	if _, err := runCLI(t, "grafana-dashboard", "-m", "nope"); err == nil || !strings.Contains(err.Error(), "built-in: seed") {
		t.Fatalf("unknown profile: %v", err)
	}
}
