package metrics

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/perflab/perflab/internal/golden"
)

func TestGrafanaDashboardGolden(t *testing.T) {
	p, err := LoadMetricProfile("seed")
	if err != nil {
		t.Fatal(err)
	}
	got, err := GrafanaDashboard(p)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "seed-dashboard.golden.json"), got)
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(got, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Panels) != len(p.Metrics) {
		t.Fatalf("%d panels for %d queries", len(d.Panels), len(p.Metrics))
	}
	for i, pn := range d.Panels {
		if pn.Title != p.Metrics[i].MetricName || len(pn.Targets) != 1 {
			t.Errorf("panel %d = %+v", i, pn)
		}
	}
}

func TestLegendFor(t *testing.T) {
	for q, want := range map[string]string{
		`histogram_quantile(0.9, sum(rate(x_bucket[2m])) by (verb, le))`: "{{verb}}",
		`sum by (resource, code, verb) (rate(x[2m]))`:                    "{{resource}} {{code}} {{verb}}",
		`up`: "__auto",
	} {
		if got := legendFor(q); got != want {
			t.Errorf("legendFor(%q) = %q, want %q", q, got, want)
		}
	}
}
