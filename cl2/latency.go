package cl2

import (
	"fmt"
	"slices"
	"time"

	"github.com/perflab/perflab/measure"
)

// LatencyMetric holds nearest-rank percentiles of latencies.
type LatencyMetric struct {
	P50, P90, P99 time.Duration
	Count         int
}

// newLatencyMetric takes the nearest-rank percentiles of ds (the shared
// measure.Quantile; CL2 indexes ceil(n*p/100)-1 of the sorted values).
func newLatencyMetric(ds []time.Duration) LatencyMetric {
	s := make([]float64, len(ds))
	for i, d := range ds {
		s[i] = float64(d)
	}
	slices.Sort(s)
	q := func(p float64) time.Duration { return time.Duration(measure.Quantile(s, p)) }
	return LatencyMetric{P50: q(0.50), P90: q(0.90), P99: q(0.99), Count: len(s)}
}

// exceeds names the first percentile above its threshold, or "".
func (m LatencyMetric) exceeds(t50, t90, t99 time.Duration) string {
	switch {
	case m.P50 > t50:
		return fmt.Sprintf("p50 %v > %v", round(m.P50), t50)
	case m.P90 > t90:
		return fmt.Sprintf("p90 %v > %v", round(m.P90), t90)
	case m.P99 > t99:
		return fmt.Sprintf("p99 %v > %v", round(m.P99), t99)
	}
	return ""
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
