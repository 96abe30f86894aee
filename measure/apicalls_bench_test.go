package measure

import (
	"fmt"
	"math"
	"testing"

	"github.com/perflab/perflab/metrics"
)

// BenchmarkAPICallsFromDelta: a realistic apiserver exposes a few hundred
// SLI series (resources x verbs x scopes, ~20 buckets each).
func BenchmarkAPICallsFromDelta(b *testing.B) {
	f := &metrics.Family{Name: sliMetric, Kind: metrics.Histogram}
	bounds := []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60, math.Inf(1)}
	for r := 0; r < 40; r++ {
		for _, verb := range []string{"GET", "LIST", "POST", "PATCH", "PUT", "DELETE"} {
			for _, scope := range []string{"resource", "namespace", "cluster"} {
				h := metrics.HistogramSeries{Labels: metrics.Labels{"resource": fmt.Sprintf("r%d", r), "verb": verb, "scope": scope, "component": "apiserver"}, Count: 1000}
				for i, ub := range bounds {
					h.Buckets = append(h.Buckets, metrics.Bucket{UpperBound: ub, Count: float64(1000 * (i + 1) / len(bounds))})
				}
				f.Histograms = append(f.Histograms, h)
			}
		}
	}
	snap := &metrics.Snapshot{Families: map[string]*metrics.Family{sliMetric: f}}
	b.ReportAllocs()
	for b.Loop() {
		if n := len(apiCallsFromDelta(snap)); n != 720 {
			b.Fatalf("%d calls", n)
		}
	}
}
