package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// needPrometheus skips the test under -short (it starts a Prometheus
// server) and when the prometheus binary is missing, except in CI, which
// installs it and must not skip.
func needPrometheus(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a Prometheus server (-short)")
	}
	if _, err := exec.LookPath("prometheus"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must install prometheus: %v", ErrNoPrometheus)
		}
		t.Skip(ErrNoPrometheus)
	}
}

// testConfig writes a Prometheus config scraping the given host:port targets
// every second.
func testConfig(t *testing.T, targets ...string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "prometheus.yml")
	body := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n- job_name: test\n  static_configs:\n  - targets: [%s]\n", `"`+strings.Join(targets, `","`)+`"`)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startTestPrometheus starts a Prometheus on a free loopback port scraping
// the given host:port targets every second.
func startTestPrometheus(t *testing.T, targets ...string) *Prometheus {
	t.Helper()
	needPrometheus(t)
	cfg := testConfig(t, targets...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := StartPrometheus(ctx, Options{ConfigFile: cfg, Addr: "127.0.0.1:0", DataDir: filepath.Join(t.TempDir(), "data")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop() })
	return p
}

// serveText serves a fixed exposition body on a loopback port.
func serveText(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// histCase is one histogram given as (le label value, count) pairs, written
// as untyped _bucket series so that Prometheus ingests them as they are.
type histCase struct {
	name    string
	buckets [][2]string
}

func (c histCase) exposition() string {
	var sb strings.Builder
	for _, b := range c.buckets {
		fmt.Fprintf(&sb, "perflab_cmp_seconds_bucket{case=%q,le=%q} %s\n", c.name, b[0], b[1])
	}
	return sb.String()
}

func (c histCase) parsed(t *testing.T) []Bucket {
	t.Helper()
	var out []Bucket
	for _, b := range c.buckets {
		ub, err := strconv.ParseFloat(b[0], 64)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.ParseFloat(b[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Bucket{UpperBound: ub, Count: n})
	}
	return out
}

func fixedCases() []histCase {
	return []histCase{
		{"standard", [][2]string{{"0.1", "10"}, {"0.5", "30"}, {"1", "40"}, {"+Inf", "50"}}},
		{"nonmonotonic", [][2]string{{"0.1", "10"}, {"0.5", "8"}, {"1", "40"}, {"+Inf", "50"}}},
		{"negative", [][2]string{{"-1", "5"}, {"0", "10"}, {"1", "20"}, {"+Inf", "20"}}},
		{"dupbounds", [][2]string{{"1", "5"}, {"1.0", "5"}, {"2", "20"}, {"+Inf", "20"}}},
		{"noinf", [][2]string{{"0.1", "10"}, {"0.5", "30"}}},
		{"empty", [][2]string{{"0.1", "0"}, {"1", "0"}, {"+Inf", "0"}}},
		{"emptyfirst", [][2]string{{"1", "0"}, {"2", "10"}, {"+Inf", "10"}}},
		{"fractional", [][2]string{{"0.005", "1.5"}, {"0.025", "7.25"}, {"0.1", "9.125"}, {"+Inf", "9.5"}}},
	}
}

// randomCases are API-server-shaped histograms with random counts, some of
// them deliberately not monotonic.
func randomCases(n int) []histCase {
	r := rand.New(rand.NewPCG(7, 11))
	bounds := []string{"0.005", "0.025", "0.05", "0.1", "0.2", "0.4", "0.6", "0.8", "1", "1.25", "1.5", "2", "3", "4", "5", "6", "8", "10", "15", "20", "30", "45", "60", "+Inf"}
	var out []histCase
	for i := range n {
		c := histCase{name: fmt.Sprintf("random%d", i)}
		count := 0.0
		for _, b := range bounds {
			count += math.Floor(r.ExpFloat64() * 20)
			v := count
			if i%4 == 3 && r.IntN(5) == 0 {
				v = math.Max(0, count-float64(r.IntN(30))) // a dip
			}
			c.buckets = append(c.buckets, [2]string{b, strconv.FormatFloat(v, 'g', -1, 64)})
		}
		out = append(out, c)
	}
	return out
}

// TestHistogramQuantileMatchesPrometheus feeds the same buckets to a real
// Prometheus and to HistogramQuantile and requires identical answers.
func TestHistogramQuantileMatchesPrometheus(t *testing.T) {
	cases := append(fixedCases(), randomCases(40)...)
	var body strings.Builder
	for _, c := range cases {
		body.WriteString(c.exposition())
	}
	p := startTestPrometheus(t, serveText(t, body.String()))
	c, err := NewClient(Endpoint{URL: p.URL()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	at := waitForSeries(ctx, t, c, "perflab_cmp_seconds_bucket", len(strings.Split(strings.TrimSpace(body.String()), "\n")))

	qs := []float64{-0.5, 0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1, 1.5}
	for _, hc := range cases {
		for _, q := range qs {
			query := fmt.Sprintf("histogram_quantile(%v, perflab_cmp_seconds_bucket{case=%q})", q, hc.name)
			v, err := c.Query(ctx, query, at)
			if err != nil {
				t.Fatal(err)
			}
			vec := v.(model.Vector)
			if len(vec) != 1 {
				t.Fatalf("%s: %d samples from Prometheus, want 1", query, len(vec))
			}
			want := float64(vec[0].Value)
			got := HistogramQuantile(q, hc.parsed(t))
			if !sameFloat(got, want) {
				t.Errorf("%s: HistogramQuantile = %v, Prometheus = %v", query, got, want)
			}
		}
	}
}

// waitForSeries waits until Prometheus holds n series of name and returns a
// time at which they are all present.
func waitForSeries(ctx context.Context, t *testing.T, c *Client, name string, n int) time.Time {
	t.Helper()
	for {
		now := time.Now()
		v, err := c.Query(ctx, fmt.Sprintf("count(%s)", name), now)
		if err != nil && !errors.Is(err, ErrUnreachable) {
			t.Fatal(err)
		}
		if vec, ok := v.(model.Vector); ok && len(vec) == 1 && int(vec[0].Value) == n {
			return now
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Prometheus never held %d series of %s: %v (last %v)", n, name, ctx.Err(), v)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func TestStartPrometheusErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "p.yml")
	if err := os.WriteFile(cfg, []byte("scrape_configs: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Run("missing binary", func(t *testing.T) {
		t.Setenv("PATH", dir)
		_, err := StartPrometheus(ctx, Options{ConfigFile: cfg})
		if !errors.Is(err, ErrNoPrometheus) || !strings.Contains(err.Error(), "apt-get install prometheus") {
			t.Fatalf("err = %v, want ErrNoPrometheus naming apt-get", err)
		}
	})
	t.Run("missing config", func(t *testing.T) {
		_, err := StartPrometheus(ctx, Options{ConfigFile: filepath.Join(dir, "nope.yml")})
		if err == nil || !strings.Contains(err.Error(), "nope.yml") {
			t.Fatalf("err = %v, want it to name the file", err)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		needPrometheus(t)
		_, err := StartPrometheus(ctx, Options{ConfigFile: cfg, Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data")})
		if err == nil || !strings.Contains(err.Error(), "exited before ready") {
			t.Fatalf("err = %v, want exit before ready with the log", err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		needPrometheus(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		good := filepath.Join(dir, "good.yml")
		if err := os.WriteFile(good, []byte("scrape_configs: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = StartPrometheus(ctx, Options{ConfigFile: good, Addr: l.Addr().String(), DataDir: filepath.Join(dir, "data2")})
		if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "--prometheus-addr") {
			t.Fatalf("err = %v, want address already in use", err)
		}
	})
}

func TestStartStopTempDir(t *testing.T) {
	needPrometheus(t)
	cfg := filepath.Join(t.TempDir(), "p.yml")
	if err := os.WriteFile(cfg, []byte("scrape_configs: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := StartPrometheus(context.Background(), Options{ConfigFile: cfg, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	dir := p.DataDir()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temp data dir %s left behind: %v", dir, err)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := http.Get(p.URL() + "/-/ready"); err == nil {
		t.Fatal("Prometheus still answers after Stop")
	}
}
