package netperf

import (
	"math"
	"math/bits"
	"time"
)

// Histogram records durations in log-linear buckets, as HdrHistogram does:
// values below 2^subBits ns are exact, larger ones fall into 2^subBits linear
// sub-buckets per power of two, so every recorded value is kept within a
// relative error of 1/2^subBits (1.6%). Recording is O(1) and allocation-free;
// the zero value is ready to use.
type Histogram struct {
	counts   [histBuckets]uint64
	n        uint64
	sum      float64 // ns
	min, max int64   // ns, exact
}

const (
	subBits     = 6
	subCount    = 1 << subBits
	maxExp      = 40 // values up to 2^40 ns (about 18 minutes); larger ones are clamped
	histBuckets = subCount + (maxExp-subBits)*subCount
)

func bucketOf(v int64) int {
	if v < subCount {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - subBits - 1
	if e >= maxExp-subBits {
		return histBuckets - 1
	}
	return subCount + e*subCount + int(v>>uint(e)) - subCount
}

// bucketHigh is the largest value that maps to bucket i.
func bucketHigh(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	e := (i - subCount) / subCount
	sub := int64((i-subCount)%subCount + subCount)
	return (sub+1)<<uint(e) - 1
}

// Record adds one observation.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// Merge adds all of o's observations to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of observations.
func (h *Histogram) Count() uint64 { return h.n }

// Min, Max and Mean are exact.
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }

// Max is the largest observation.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean is the arithmetic mean of all observations.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(math.Round(h.sum / float64(h.n)))
}

// Quantile returns the nearest-rank q-quantile (0 < q ≤ 1): the upper edge of
// the bucket holding the ceil(q·n)-th smallest observation, clamped to
// [Min, Max].
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			if i == histBuckets-1 {
				return time.Duration(h.max) // the overflow bucket has no upper edge
			}
			v := bucketHigh(i)
			v = max(v, h.min)
			v = min(v, h.max)
			return time.Duration(v)
		}
	}
	return time.Duration(h.max)
}
