package metrics

import (
	"math"
	"slices"
	"sort"
)

// Bucket is one cumulative bucket of a classic Prometheus histogram: Count
// observations were less than or equal to UpperBound (the "le" label).
type Bucket struct {
	UpperBound float64
	Count      float64
}

// precisionTolerance is the relative difference below which two neighbouring
// cumulative counts are treated as equal (float noise from rate/sum), as in
// Prometheus's classic histogram_quantile.
const precisionTolerance = 1e-12

// HistogramQuantile returns the q-quantile of a classic histogram with the
// semantics of PromQL's histogram_quantile:
//
//   - buckets are sorted by upper bound, and buckets with the same upper bound
//     are merged (their counts added);
//   - the highest bucket must be +Inf, else the result is NaN;
//   - counts are made monotonic (a bucket never counts fewer observations than
//     the one below it) after absorbing relative differences under 1e-12;
//   - fewer than two buckets, or zero observations, give NaN;
//   - q < 0 gives -Inf, q > 1 gives +Inf, NaN gives NaN;
//   - the rank q*count is located by interpolating linearly inside its bucket;
//     the lowest bucket starts at 0 when its upper bound is positive, otherwise
//     its upper bound is returned;
//   - a rank that falls into the +Inf bucket returns the highest finite upper
//     bound.
//
// The input slice is not modified.
func HistogramQuantile(q float64, buckets []Bucket) float64 {
	switch {
	case math.IsNaN(q):
		return math.NaN()
	case q < 0:
		return math.Inf(-1)
	case q > 1:
		return math.Inf(+1)
	case len(buckets) == 0:
		return math.NaN()
	}
	bs := slices.Clone(buckets)
	slices.SortStableFunc(bs, func(a, b Bucket) int {
		switch {
		case a.UpperBound < b.UpperBound:
			return -1
		case a.UpperBound > b.UpperBound:
			return +1
		}
		return 0
	})
	if !math.IsInf(bs[len(bs)-1].UpperBound, +1) {
		return math.NaN()
	}
	bs = mergeEqualBounds(bs)
	absorbPrecisionNoise(bs, precisionTolerance)
	makeMonotonic(bs)
	if len(bs) < 2 {
		return math.NaN()
	}
	total := bs[len(bs)-1].Count
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	// Search only the finite buckets; landing past them means the +Inf one.
	b := sort.Search(len(bs)-1, func(i int) bool { return bs[i].Count >= rank })
	if b == len(bs)-1 {
		return bs[len(bs)-2].UpperBound
	}
	if b == 0 && bs[0].UpperBound <= 0 {
		return bs[0].UpperBound
	}
	lower, upper, inBucket := 0.0, bs[b].UpperBound, bs[b].Count
	if b > 0 {
		lower = bs[b-1].UpperBound
		inBucket -= bs[b-1].Count
		rank -= bs[b-1].Count
	}
	return lower + (upper-lower)*(rank/inBucket)
}

// mergeEqualBounds adds up the counts of adjacent buckets (sorted) that share
// an upper bound, e.g. le="1" and le="1.0" from two differently formatted
// series.
func mergeEqualBounds(bs []Bucket) []Bucket {
	out := bs[:1]
	for _, b := range bs[1:] {
		last := &out[len(out)-1]
		if b.UpperBound == last.UpperBound {
			last.Count += b.Count
			continue
		}
		out = append(out, b)
	}
	return out
}

// absorbPrecisionNoise sets a count equal to the previous distinct count when
// they differ by no more than tolerance relative to the count itself.
func absorbPrecisionNoise(bs []Bucket, tolerance float64) {
	prev := bs[0].Count
	for i := 1; i < len(bs); i++ {
		cur := bs[i].Count
		delta := math.Abs(cur - prev)
		if delta == 0 {
			continue
		}
		if delta/cur <= tolerance {
			bs[i].Count = prev
			continue
		}
		prev = cur
	}
}

// makeMonotonic raises every count to at least the maximum count of the
// buckets below it: the envelope Prometheus uses so that a binary search over
// cumulative counts stays meaningful when inputs are inconsistent.
func makeMonotonic(bs []Bucket) {
	highest := bs[0].Count
	for i := 1; i < len(bs); i++ {
		if bs[i].Count > highest {
			highest = bs[i].Count
		} else {
			bs[i].Count = highest
		}
	}
}
