package metrics

import (
	"bytes"
	"path/filepath"
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
