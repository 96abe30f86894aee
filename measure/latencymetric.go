package measure

import (
	"fmt"
	"slices"
	"time"
)

// LatencyMetric holds nearest-rank percentiles of latencies.
type LatencyMetric struct {
	P50, P90, P99 time.Duration
	Count         int
}

// NewLatencyMetric takes the nearest-rank percentiles of ds (the shared
// Quantile; CL2 indexes ceil(n*p/100)-1 of the sorted values).
func NewLatencyMetric(ds []time.Duration) LatencyMetric {
	s := make([]float64, len(ds))
	for i, d := range ds {
		s[i] = float64(d)
	}
	slices.Sort(s)
	q := func(p float64) time.Duration { return time.Duration(Quantile(s, p)) }
	return LatencyMetric{P50: q(0.50), P90: q(0.90), P99: q(0.99), Count: len(s)}
}

// exceeds names the first percentile above its threshold, or "".
func (m LatencyMetric) Exceeds(t50, t90, t99 time.Duration) string {
	switch {
	case m.P50 > t50:
		return fmt.Sprintf("p50 %v > %v", Round(m.P50), t50)
	case m.P90 > t90:
		return fmt.Sprintf("p90 %v > %v", Round(m.P90), t90)
	case m.P99 > t99:
		return fmt.Sprintf("p99 %v > %v", Round(m.P99), t99)
	}
	return ""
}

func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
