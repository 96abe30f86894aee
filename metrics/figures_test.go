package metrics

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
)

func TestFiguresGolden(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := ComputeFigures(Delta(loadSnapshot(t, "apiserver-before.prom", t0), loadSnapshot(t, "apiserver-after.prom", t0.Add(20*time.Second))))
	if f.TotalRequests != 227 {
		t.Fatalf("total = %v, want 227", f.TotalRequests)
	}
	byName := map[string]Figure{}
	for _, fig := range f.Figures {
		byName[fig.MetricName] = fig
	}
	// POST: 200 requests in 20 s.
	for _, s := range byName["apiserverQPSByVerb"].Series {
		if s.Labels["verb"] == "POST" && s.Value != 10 {
			t.Errorf("POST QPS = %v, want 10", s.Value)
		}
	}
	if p90 := byName["apiserverP90LatencyByVerb"].Series; len(p90) != 2 || p90[1].Value != 0.1 {
		t.Errorf("P90 by verb = %v, want DELETE 0.0625, POST 0.1", p90)
	}
	for _, tt := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"figures.golden.txt", func(b *bytes.Buffer) error { return f.WriteText(b) }},
		{"figures.golden.json", func(b *bytes.Buffer) error { return f.WriteJSON(b) }},
	} {
		var got bytes.Buffer
		if err := tt.write(&got); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", tt.name), got.Bytes())
	}
}

// TestTakeSnapshot scrapes a real /metrics endpoint on 127.0.0.1 twice and
// shows the wait between through the progress display.
func TestTakeSnapshot(t *testing.T) {
	var scrapes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		file := "apiserver-before.prom"
		if scrapes.Add(1) > 1 {
			file = "apiserver-after.prom"
		}
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	var out, prog bytes.Buffer
	o := SnapshotOptions{Targets: []Target{{URL: srv.URL + "/metrics"}}, Interval: 300 * time.Millisecond, Progress: &prog, ProgressEvery: 20 * time.Millisecond}
	if err := TakeSnapshot(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	if n := scrapes.Load(); n != 2 {
		t.Errorf("%d scrapes, want 2", n)
	}
	if !strings.Contains(out.String(), "requests  227 (") || !strings.Contains(out.String(), "apiserverQPSByVerb (req/s)") {
		t.Errorf("figures:\n%s", out.String())
	}
	if !strings.HasPrefix(prog.String(), "waiting for the second scrape: 0s of 300ms (") {
		t.Errorf("progress: %q", prog.String())
	}
}
