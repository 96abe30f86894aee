package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/metrics"
)

// apiLoad creates n ConfigMaps in a fresh namespace (and reads each back),
// then deletes the namespace: an API-intensive burst of POSTs and GETs.
func apiLoad(ctx context.Context, t *testing.T, n int) {
	t.Helper()
	cfg := testCluster.RESTConfig()
	cfg.QPS, cfg.Burst = 500, 1000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "metrics-it-"}}
	if ns, err = cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	start := time.Now()
	for i := range n {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i)}, Data: map[string]string{"i": fmt.Sprint(i)}}
		if _, err := cs.CoreV1().ConfigMaps(ns.Name).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		if _, err := cs.CoreV1().ConfigMaps(ns.Name).Get(ctx, cm.Name, metav1.GetOptions{}); err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
		if i%250 == 249 {
			t.Logf("load: %d/%d ConfigMaps, %.0f/s", i+1, n, float64(i+1)/time.Since(start).Seconds())
		}
	}
}

func promClient(t *testing.T) *metrics.Client {
	t.Helper()
	c, err := metrics.NewClient(metrics.Endpoint{URL: testProm.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readDocs(t *testing.T, file string) []metrics.Document {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var docs []metrics.Document
	if err := json.Unmarshal(b, &docs); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var raw []map[string]any
	_ = json.Unmarshal(b, &raw)
	for _, d := range raw {
		for _, k := range []string{"timestamp", "labels", "value", "uuid", "query", "metricName", "jobName"} {
			if _, ok := d[k]; !ok {
				t.Fatalf("%s: document %v lacks kube-burner field %q", file, d, k)
			}
		}
	}
	return docs
}

// burnerObserver adapts a metrics run to the burner's job observer, as
// perflab init does.
type burnerObserver struct{ r *metrics.Run }

func (o burnerObserver) JobFinished(ctx context.Context, w burner.JobWindow) error {
	return o.r.JobFinished(ctx, metrics.Window{Name: w.Name, UUID: w.UUID, Start: w.Start, End: w.End})
}

// TestAPIIntensiveRun: Prometheus scrapes the embedded cluster during an
// api-intensive kube-burner run; the seed profile yields API QPS by verb and
// P90 latency by verb in kube-burner's file format, and an always-true alert
// of severity error makes the run exit 3.
func TestAPIIntensiveRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	alerts := filepath.Join(dir, "alerts.yml")
	if err := os.WriteFile(alerts, []byte("- expr: sum(up) > 0\n  description: '{{$value}} targets up'\n  severity: error\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := burner.Load("testdata/api-intensive.yml", burner.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const uuid = "it-api-intensive"
	mrun, err := metrics.StartRun(ctx, testEnv, metrics.RunOptions{
		Profiles: []string{"seed"}, Alerts: []string{alerts},
		PrometheusURL: testProm.URL(), Step: 2 * time.Second, MetricsDirectory: dir,
	}, nil, uuid)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := burner.NewRunner(testEnv, spec, burner.Options{
		UUID: uuid, MetricsDir: dir, Observers: []burner.JobObserver{burnerObserver{mrun}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := runner.Run(ctx)
	err = errors.Join(err, mrun.Close())
	if exitcode.Of(err) != exitcode.Alert || !errors.Is(err, metrics.ErrAlert) {
		t.Fatalf("run = %v (exit %d), want the error alert's exit 3", err, exitcode.Of(err))
	}
	if len(rep.Jobs) != 2 || !rep.Jobs[0].Passed {
		t.Fatalf("jobs = %+v, want both to run and the create job to pass", rep.Jobs)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Logf("wrote %s", e.Name())
	}
	job := rep.Jobs[0]
	for _, tt := range []struct{ file, verb string }{
		{"apiserverQPSByVerb.json", "POST"},
		{"apiserverP90LatencyByVerb.json", "POST"},
		{"apiserverRequestsByVerb.json", "POST"},
		{"apiserverRequestRate.json", "POST"},
	} {
		docs := readDocs(t, filepath.Join(dir, tt.file))
		found := false
		for _, d := range docs {
			if d.JobName != job.Name || d.Labels["verb"] != tt.verb || d.Value <= 0 {
				continue
			}
			found = true
			if d.UUID != uuid || d.Timestamp.Before(job.Start.Add(-time.Second)) || d.Timestamp.After(job.End.Add(time.Second)) {
				t.Fatalf("%s: document %+v outside job %s (%s .. %s)", tt.file, d, job.Name, job.Start, job.End)
			}
		}
		if !found {
			t.Errorf("%s: no positive %s series for job %s in %d documents", tt.file, tt.verb, job.Name, len(docs))
		}
	}
	if alerts := readAlertDocs(t, filepath.Join(dir, "alert.json")); len(alerts) < 2 || alerts[0]["severity"] != "error" {
		t.Fatalf("alert.json = %v, want an error alert per job", alerts)
	}
}

// TestCriticalAlertStopsRun: a critical alert after the first job stops the
// run before the second, with exit code 3.
func TestCriticalAlertStopsRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	alerts := filepath.Join(dir, "alerts.yml")
	if err := os.WriteFile(alerts, []byte("- expr: vector(1)\n  description: always\n  severity: critical\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := burner.Load("testdata/two-jobs.yml", burner.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mrun, err := metrics.StartRun(ctx, testEnv, metrics.RunOptions{Alerts: []string{alerts}, PrometheusURL: testProm.URL(), Step: time.Second, MetricsDirectory: dir}, nil, "it-critical")
	if err != nil {
		t.Fatal(err)
	}
	runner, err := burner.NewRunner(testEnv, spec, burner.Options{UUID: "it-critical", MetricsDir: dir, Observers: []burner.JobObserver{burnerObserver{mrun}}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := runner.Run(ctx)
	err = errors.Join(err, mrun.Close())
	if exitcode.Of(err) != exitcode.Alert || !strings.Contains(err.Error(), "stopping the run") {
		t.Fatalf("run = %v (exit %d), want the critical alert's exit 3", err, exitcode.Of(err))
	}
	if len(rep.Jobs) != 1 || rep.Jobs[0].Name != "first" {
		t.Fatalf("jobs run: %+v, want only the first", rep.Jobs)
	}
}

func readAlertDocs(t *testing.T, file string) []map[string]any {
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

// TestAlwaysTrueErrorAlertExits3: an alert whose expression is always true,
// with severity error, fails check-alerts with exit code 3.
func TestAlwaysTrueErrorAlertExits3(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := filepath.Join(t.TempDir(), "alerts.yml")
	if err := os.WriteFile(f, []byte("- expr: sum(up) > 0\n  description: '{{$value}} targets up'\n  severity: error\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err := metrics.CheckAlerts(ctx, metrics.CheckAlertsOptions{
		WindowOptions: metrics.WindowOptions{Start: now.Add(-10 * time.Second), End: now, Step: time.Second},
		Endpoint:      metrics.Endpoint{URL: testProm.URL()},
		AlertProfiles: []string{f},
	})
	if exitcode.Of(err) != exitcode.Alert {
		t.Fatalf("CheckAlerts = %v (exit %d), want exit 3", err, exitcode.Of(err))
	}
}

// TestSnapshotAgreesWithPrometheus: request counts from two /metrics scrapes
// (no Prometheus) and from Prometheus over the same load agree within 5 %.
//
// Prometheus's samples never fall exactly on the snapshot's scrape instants,
// so its counter is read at each instant by interpolating between the raw
// samples on either side of it, with the load kept clear of those samples. Reading "the last sample before" instead
// widens Prometheus's window by up to two scrape intervals, and background
// traffic in that margin (namespace deletion from an earlier test) has
// pushed the difference past 5 % on a busy machine.
func TestSnapshotAgreesWithPrometheus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := promClient(t)
	target, err := metrics.RESTTarget(testCluster.RESTConfig(), "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	before, err := metrics.Scrape(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if err := testProm.WaitScrapedAfter(ctx, before.Time); err != nil {
		t.Fatal(err)
	}
	apiLoad(ctx, t, 1500)
	// One Prometheus scrape between the load's end and the second snapshot
	// keeps the load off both sides of each interpolated instant: the
	// samples around before.Time and after.Time frame background traffic only.
	if err := testProm.WaitScrapedAfter(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	after, err := metrics.Scrape(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if err := testProm.WaitScrapedAfter(ctx, after.Time); err != nil {
		t.Fatal(err)
	}

	at := func(sel string, ts time.Time) float64 { return counterAt(ctx, t, c, sel, ts) }
	promTotal := at(`apiserver_request_total`, after.Time) - at(`apiserver_request_total`, before.Time)
	promPosts := at(`apiserver_request_total{verb="POST"}`, after.Time) - at(`apiserver_request_total{verb="POST"}`, before.Time)

	f := metrics.ComputeFigures(metrics.Delta(before, after))
	var snapPosts float64
	for _, s := range metrics.Delta(before, after).Sum("apiserver_request_total", nil, "verb") {
		if s.Labels["verb"] == "POST" {
			snapPosts = s.Value
		}
	}
	t.Logf("requests in window: snapshot %.0f, Prometheus %.0f; POST: snapshot %.0f, Prometheus %.0f", f.TotalRequests, promTotal, snapPosts, promPosts)
	for _, cmp := range []struct {
		name       string
		snap, prom float64
	}{{"all requests", f.TotalRequests, promTotal}, {"POST requests", snapPosts, promPosts}} {
		if cmp.prom < 1000 {
			t.Fatalf("%s: Prometheus counted only %.0f; the load did not register", cmp.name, cmp.prom)
		}
		if diff := math.Abs(cmp.snap-cmp.prom) / cmp.prom; diff > 0.05 {
			t.Errorf("%s: snapshot %.0f vs Prometheus %.0f differ by %.1f%% (> 5%%)", cmp.name, cmp.snap, cmp.prom, 100*diff)
		}
	}
}

// counterAt is the sum of the series matched by sel at instant ts, as
// Prometheus stored them: the raw samples of each scrape of one target are
// summed, and the value at ts is interpolated between the last scrape at or
// before ts and the first one after it. When one API server is scraped by
// several jobs, the target with the highest total is used, so it is counted
// once.
func counterAt(ctx context.Context, t *testing.T, c *metrics.Client, sel string, ts time.Time) float64 {
	t.Helper()
	margin := 3 * scrapeInterval
	v, err := c.Query(ctx, fmt.Sprintf("%s[%s]", sel, model.Duration(2*margin)), ts.Add(margin))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(model.Matrix)
	if !ok || len(m) == 0 {
		t.Fatalf("%s around %s: %v, want raw samples", sel, ts.Format(time.RFC3339Nano), v)
	}
	// scrapes[target][timestamp] = sum over the target's series.
	scrapes := map[string]map[model.Time]float64{}
	for _, ss := range m {
		key := string(ss.Metric["job"]) + "/" + string(ss.Metric["instance"])
		if scrapes[key] == nil {
			scrapes[key] = map[model.Time]float64{}
		}
		for _, p := range ss.Values {
			scrapes[key][p.Timestamp] += float64(p.Value)
		}
	}
	best := math.Inf(-1)
	for key, byTime := range scrapes {
		v, err := interpolate(byTime, model.TimeFromUnixNano(ts.UnixNano()))
		if err != nil {
			t.Fatalf("%s of %s: %v", sel, key, err)
		}
		best = max(best, v)
	}
	return best
}

// interpolate reads a counter at ts from samples on both sides of it.
func interpolate(byTime map[model.Time]float64, ts model.Time) (float64, error) {
	var lo, hi model.Time = math.MinInt64, math.MaxInt64
	for s := range byTime {
		if s <= ts && s > lo {
			lo = s
		}
		if s > ts && s < hi {
			hi = s
		}
	}
	if lo == math.MinInt64 || hi == math.MaxInt64 {
		return 0, fmt.Errorf("no samples on both sides of %s", ts.Time().Format(time.RFC3339Nano))
	}
	frac := float64(ts-lo) / float64(hi-lo)
	return byTime[lo] + frac*(byTime[hi]-byTime[lo]), nil
}
