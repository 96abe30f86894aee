package measure

import (
	"math"
	"sort"
)

// Quantile returns the nearest-rank q-quantile (0 < q <= 1) of sorted values:
// the smallest value with at least q of the values at or below it. It returns
// 0 for no values.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(n)))
	if rank < 1 {
		rank = 1
	}
	if rank > n {
		rank = n
	}
	return sorted[rank-1]
}

// Stats are the summary figures of a sample.
type Stats struct {
	P50, P90, P95, P99, Min, Max, Avg float64
	Count                             int
}

// Summarize sorts a copy of values and returns their nearest-rank quantiles,
// min, max and mean.
func Summarize(values []float64) Stats {
	if len(values) == 0 {
		return Stats{}
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return Stats{
		P50: Quantile(s, 0.50), P90: Quantile(s, 0.90), P95: Quantile(s, 0.95), P99: Quantile(s, 0.99),
		Min: s[0], Max: s[len(s)-1], Avg: sum / float64(len(s)), Count: len(s),
	}
}
