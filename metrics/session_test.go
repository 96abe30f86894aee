package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perflab/perflab/exitcode"
)

// countingTarget serves a counter that grows by 10 per scrape.
func countingTarget(t *testing.T) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		v := n.Add(10)
		fmt.Fprintf(w, "# TYPE perflab_test_requests_total counter\nperflab_test_requests_total{verb=\"GET\"} %d\nperflab_test_requests_total{verb=\"POST\"} %d\n", v, 2*v)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

type sessionEnv struct {
	prom   *Prometheus
	window Window
	dir    string
}

// newSessionEnv starts a target and a Prometheus scraping it, and returns a
// window of about four seconds with data in it.
func newSessionEnv(t *testing.T) sessionEnv {
	t.Helper()
	p := startTestPrometheus(t, countingTarget(t))
	c, err := NewClient(Endpoint{URL: p.URL()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := waitForSeries(ctx, t, c, "perflab_test_requests_total", 2)
	time.Sleep(4 * time.Second)
	return sessionEnv{prom: p, window: Window{Name: "job-1", UUID: "uuid-1", Start: start, End: time.Now()}, dir: t.TempDir()}
}

func (e sessionEnv) file(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSession shares one Prometheus among its subtests.
func TestSession(t *testing.T) {
	env := newSessionEnv(t)
	t.Run("collect, index and alert", func(t *testing.T) { testSessionCollect(t, env) })
	t.Run("critical alert stops the run", func(t *testing.T) { testSessionCritical(t, env) })
	testSessionBadInput(t, env)
}

func testSessionCollect(t *testing.T, env sessionEnv) {
	ctx := context.Background()
	out := filepath.Join(env.dir, "collected")
	metricsFile := env.file(t, "metrics.yml", `
- query: sum by (verb) (rate(perflab_test_requests_total[3s]))
  metricName: requestRate
- query: sum(increase(perflab_test_requests_total[{{.elapsed}}]))
  metricName: requestsInJob
  instant: true
- query: sum(perflab_test_requests_total)
  metricName: requestsTotal
  instant: true
  captureStart: true
- query: perflab_no_such_metric
  metricName: nothing
`)
	alertsFile := env.file(t, "alerts.yml", `
- expr: sum(perflab_test_requests_total) > 0
  description: 'requests counted: {{$value}}'
  severity: error
- expr: vector(1)
  description: informational
`)
	s, err := NewSession(ctx, "uuid-1", []EndpointConfig{{
		Endpoint: env.prom.URL(), Step: time.Second,
		Metrics: []string{metricsFile}, Alerts: []string{alertsFile},
		Indexer: IndexerConfig{Type: "local", MetricsDirectory: out},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.JobFinished(ctx, env.window); err != nil {
		t.Fatalf("JobFinished: %v", err)
	}
	err = s.Finish()
	if !errors.Is(err, ErrAlert) || exitcode.Of(err) != exitcode.Alert {
		t.Fatalf("Finish() = %v (exit %d), want an alert error with exit 3", err, exitcode.Of(err))
	}

	entries, _ := os.ReadDir(out)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	want := []string{"alert.json", "requestRate.json", "requestsInJob.json", "requestsTotal-start.json", "requestsTotal.json"}
	if !slices.Equal(files, want) {
		t.Fatalf("files %v, want %v (no file for the empty query)", files, want)
	}
	docs := readDocs(t, filepath.Join(out, "requestRate.json"))
	if len(docs) < 4 {
		t.Fatalf("requestRate: %d documents, want a range of points for 2 verbs", len(docs))
	}
	for _, d := range docs {
		for _, k := range []string{"timestamp", "labels", "value", "uuid", "query", "metricName", "jobName"} {
			if _, ok := d[k]; !ok {
				t.Fatalf("document %v lacks %q", d, k)
			}
		}
		if d["uuid"] != "uuid-1" || d["jobName"] != "job-1" || d["metricName"] != "requestRate" {
			t.Fatalf("document %v", d)
		}
		if v := d["value"].(float64); v <= 0 {
			t.Fatalf("rate %v, want > 0 (counter grows 10 per 1s scrape)", v)
		}
		if _, err := time.Parse(time.RFC3339, d["timestamp"].(string)); err != nil {
			t.Fatalf("timestamp: %v", err)
		}
	}
	inJob := readDocs(t, filepath.Join(out, "requestsInJob.json"))
	wantQuery := fmt.Sprintf("[%ds]", int(env.window.End.Sub(env.window.Start).Seconds()))
	if len(inJob) != 1 || !strings.Contains(inJob[0]["query"].(string), wantQuery) {
		t.Fatalf("requestsInJob = %v, want one document with {{.elapsed}} rendered to the window", inJob)
	}
	startTotal := readDocs(t, filepath.Join(out, "requestsTotal-start.json"))
	endTotal := readDocs(t, filepath.Join(out, "requestsTotal.json"))
	if len(startTotal) != 1 || len(endTotal) != 1 || startTotal[0]["value"].(float64) >= endTotal[0]["value"].(float64) {
		t.Fatalf("captureStart: start %v, end %v; want one document each, start < end", startTotal, endTotal)
	}
	alerts := readDocs(t, filepath.Join(out, "alert.json"))
	if len(alerts) != 2 || alerts[0]["severity"] != "error" || !strings.HasPrefix(alerts[0]["description"].(string), "requests counted: ") {
		t.Fatalf("alerts = %v", alerts)
	}

	// A second job appends to the same files, as kube-burner's indexer does.
	w2 := env.window
	w2.Name = "job-2"
	if err := s.JobFinished(ctx, w2); err != nil {
		t.Fatal(err)
	}
	if again := readDocs(t, filepath.Join(out, "requestRate.json")); len(again) != 2*len(docs) {
		t.Fatalf("after a second job: %d documents, want %d", len(again), 2*len(docs))
	}
}

func testSessionCritical(t *testing.T, env sessionEnv) {
	ctx := context.Background()
	alerts := env.file(t, "alerts.yml", "- expr: vector(1)\n  description: always\n  severity: critical\n")
	s, err := NewSession(ctx, "u", []EndpointConfig{{Endpoint: env.prom.URL(), Step: time.Second, Alerts: []string{alerts}}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.JobFinished(ctx, env.window)
	if !errors.Is(err, ErrAlert) || exitcode.Of(err) != exitcode.Alert || !strings.Contains(err.Error(), "stopping the run") {
		t.Fatalf("JobFinished = %v, want a critical alert (exit 3)", err)
	}
}

func testSessionBadInput(t *testing.T, env sessionEnv) {
	ctx := context.Background()
	t.Run("PromQL syntax error names file and entry", func(t *testing.T) {
		f := env.file(t, "bad.yml", "- query: up\n  metricName: up\n- query: sum(rate(up[1m])\n  metricName: broken\n")
		_, err := NewSession(ctx, "u", []EndpointConfig{{Endpoint: env.prom.URL(), Metrics: []string{f}}})
		var qe *QueryError
		if err == nil || !errors.As(err, &qe) || !strings.Contains(err.Error(), f+":3 (entry 2)") {
			t.Fatalf("err = %v, want a QueryError naming %s:3 (entry 2)", err, f)
		}
	})
	t.Run("bad alert expression names file and entry", func(t *testing.T) {
		f := env.file(t, "badalert.yml", "- expr: up >\n  severity: error\n")
		_, err := NewSession(ctx, "u", []EndpointConfig{{Endpoint: env.prom.URL(), Alerts: []string{f}}})
		if err == nil || !strings.Contains(err.Error(), f+":1 (entry 1)") {
			t.Fatalf("err = %v, want it to name %s:1 (entry 1)", err, f)
		}
	})
	t.Run("unreachable endpoint", func(t *testing.T) {
		f := env.file(t, "ok.yml", "- query: up\n  metricName: up\n")
		out := filepath.Join(env.dir, "unreach")
		s, err := NewSession(ctx, "u", []EndpointConfig{
			{Endpoint: "http://127.0.0.1:1", Metrics: []string{f}, Indexer: IndexerConfig{Type: "local", MetricsDirectory: out}},
			{Endpoint: env.prom.URL(), Step: time.Second, Metrics: []string{f}, Indexer: IndexerConfig{Type: "local", MetricsDirectory: out}},
		})
		if err != nil {
			t.Fatalf("NewSession: %v (an unreachable endpoint must not stop the run)", err)
		}
		if err := s.JobFinished(ctx, env.window); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(out, "up.json")); err != nil {
			t.Fatalf("the reachable endpoint's metrics were not written: %v", err)
		}
		err = s.Finish()
		if !errors.Is(err, ErrUnreachable) || exitcode.Of(err) != exitcode.Error || !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Fatalf("Finish() = %v, want ErrUnreachable naming the endpoint, exit 1", err)
		}
	})
	t.Run("empty result warns", func(t *testing.T) {
		c, _ := NewClient(Endpoint{URL: env.prom.URL()})
		p, err := ParseMetricProfile("e.yml", []byte("- query: perflab_nothing\n  metricName: nothing\n"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Collect(ctx, c, p, env.window, time.Second)
		if err != nil || len(got.Docs) != 0 || !slices.Equal(got.Empty, []string{"nothing"}) {
			t.Fatalf("Collect = %+v, %v; want no docs and Empty=[nothing]", got, err)
		}
	})
}

func readDocs(t *testing.T, file string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	if err := json.Unmarshal(b, &docs); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return docs
}
