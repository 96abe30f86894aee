package cl2

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// LatencyMetric holds nearest-rank percentiles of latencies.
type LatencyMetric struct {
	P50, P90, P99 time.Duration
	Count         int
}

// nearestRank returns the p-th percentile (0 < p <= 100) of sorted values:
// the value at rank ceil(p/100*n), 1-based. Empty input gives zero.
func nearestRank[T any](sorted []T, p float64) T {
	var zero T
	n := len(sorted)
	if n == 0 {
		return zero
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// newLatencyMetric sorts a copy of ds and takes its nearest-rank percentiles.
func newLatencyMetric(ds []time.Duration) LatencyMetric {
	s := slices.Clone(ds)
	slices.Sort(s)
	return LatencyMetric{P50: nearestRank(s, 50), P90: nearestRank(s, 90), P99: nearestRank(s, 99), Count: len(s)}
}

// exceeds names the first percentile above its threshold, or "".
func (m LatencyMetric) exceeds(t50, t90, t99 time.Duration) string {
	switch {
	case m.P50 > t50:
		return fmt.Sprintf("p50 %v > %v", m.P50, t50)
	case m.P90 > t90:
		return fmt.Sprintf("p90 %v > %v", m.P90, t90)
	case m.P99 > t99:
		return fmt.Sprintf("p99 %v > %v", m.P99, t99)
	}
	return ""
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
