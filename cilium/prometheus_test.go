package cilium

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPressureFromPrometheus runs a real Prometheus (Debian package
// prometheus) scraping an agent-like /metrics endpoint on 127.0.0.1 and
// reads the pressure back through the query API.
func TestPressureFromPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server (-short)")
	}
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus binary not installed (CI installs the Debian package)")
	}
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprint(w, fullMaps)
	}))
	defer agent.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n- job_name: cilium-agent\n  static_configs:\n  - targets: [%q]\n", strings.TrimPrefix(agent.URL, "http://"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	var samples []Sample
	for {
		samples, err = FetchPrometheus(ctx, "http://"+addr)
		if err == nil && len(samples) >= 4 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("prometheus never had the samples: %v (%d samples)", err, len(samples))
		case <-time.After(500 * time.Millisecond):
		}
	}
	rep, err := AnalyzePressure(samples, PressureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Maps[0].Map != "lb4_services_v2" || rep.Maps[0].Pressure != 0.99 {
		t.Errorf("top map %+v", rep.Maps[0])
	}
	if rep.Drops["155 CT: Map insertion failed"] != 42 {
		t.Errorf("drops %v", rep.Drops)
	}
}
