package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/runenv"
)

func TestStartRunManagedPrometheus(t *testing.T) {
	needPrometheus(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	profile := filepath.Join(dir, "m.yml")
	if err := os.WriteFile(profile, []byte("- query: sum(rate(perflab_test_requests_total[3s]))\n  metricName: rate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	env := &runenv.Env{Embedded: &runenv.Embedded{PrometheusConfig: testConfig(t, countingTarget(t)), DataDir: dir}}
	r, err := StartRun(ctx, env, RunOptions{Profiles: []string{profile}, PrometheusAddr: "127.0.0.1:0", Step: time.Second, MetricsDirectory: out}, nil, "u")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Prometheus()
	if p == nil || !strings.HasPrefix(p.DataDir(), dir) {
		t.Fatalf("managed Prometheus = %+v, want its data under %s", p, dir)
	}
	start := time.Now()
	time.Sleep(4 * time.Second)
	if err := r.JobFinished(ctx, Window{Name: "j", Start: start, End: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if docs := readDocs(t, filepath.Join(out, "rate.json")); len(docs) < 3 {
		t.Fatalf("%d documents, want one per second of the window", len(docs))
	}
	if resp, err := http.Get(p.URL() + "/-/ready"); err == nil {
		resp.Body.Close()
		t.Fatal("managed Prometheus still answers after Close")
	}
}

func TestStartRunServesAnUnansweredLocalhostEndpoint(t *testing.T) {
	needPrometheus(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	endpoint := fmt.Sprintf("http://localhost:%d", port)
	fromConfig := []EndpointConfig{{Endpoint: endpoint, Metrics: []string{"seed"}}}
	env := &runenv.Env{Embedded: &runenv.Embedded{PrometheusConfig: testConfig(t, countingTarget(t)), DataDir: dir}}
	r, err := StartRun(ctx, env, RunOptions{PrometheusAddr: "127.0.0.1:0", MetricsDirectory: dir}, fromConfig, "u")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	}()
	if p := r.Prometheus(); p == nil || p.Addr() != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Fatalf("managed Prometheus %+v, want it on the config's port %d", p, port)
	}
	if fromConfig[0].Endpoint != endpoint {
		t.Fatalf("caller's endpoints modified: %v", fromConfig[0].Endpoint)
	}
	// Without an embedded cluster the endpoint is left alone (and reported
	// unreachable by the session).
	r2, err := StartRun(ctx, &runenv.Env{}, RunOptions{MetricsDirectory: dir}, []EndpointConfig{{Endpoint: "http://localhost:1", Metrics: []string{"seed"}}}, "u")
	if err != nil || r2.Prometheus() != nil || len(r2.Unreachable()) != 1 {
		t.Fatalf("StartRun = %+v, %v; want no managed Prometheus and one unreachable endpoint", r2, err)
	}
}

func TestStartRunNeedsAPrometheus(t *testing.T) {
	ctx := context.Background()
	r, err := StartRun(ctx, &runenv.Env{}, RunOptions{}, nil, "u")
	if r != nil || err != nil {
		t.Fatalf("no metrics asked: StartRun = %v, %v; want nil, nil", r, err)
	}
	_, err = StartRun(ctx, &runenv.Env{}, RunOptions{Profiles: []string{"seed"}}, nil, "u")
	if err == nil || !strings.Contains(err.Error(), "no Prometheus URL") {
		t.Fatalf("err = %v, want a request for -u", err)
	}
}

func TestClusterPrometheusOptionsValidate(t *testing.T) {
	if err := (ClusterPrometheusOptions{}).Validate(); err != nil {
		t.Fatalf("disabled: %v", err)
	}
	t.Run("missing binary", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		err := ClusterPrometheusOptions{Enabled: true, Addr: "127.0.0.1:0"}.Validate()
		if !errors.Is(err, ErrNoPrometheus) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("port taken", func(t *testing.T) {
		needPrometheus(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		err = ClusterPrometheusOptions{Enabled: true, Addr: l.Addr().String()}.Validate()
		if err == nil || !strings.Contains(err.Error(), "--prometheus-addr") {
			t.Fatalf("err = %v", err)
		}
	})
}
