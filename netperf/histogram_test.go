package netperf

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
	}{
		{"small exact", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"microseconds", seq(1000, 100_000, 1000)},
		{"wide range", seq(37, 50_000_000, 9973)},
		{"single", []time.Duration{42 * time.Microsecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			rand.Shuffle(len(tt.values), func(i, j int) { tt.values[i], tt.values[j] = tt.values[j], tt.values[i] })
			for _, v := range tt.values {
				h.Record(v)
			}
			sorted := append([]time.Duration(nil), tt.values...)
			sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
			if h.Min() != sorted[0] || h.Max() != sorted[len(sorted)-1] || h.Count() != uint64(len(sorted)) {
				t.Fatalf("min/max/count = %v/%v/%d, want %v/%v/%d", h.Min(), h.Max(), h.Count(), sorted[0], sorted[len(sorted)-1], len(sorted))
			}
			prev := time.Duration(0)
			for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
				got := h.Quantile(q)
				want := sorted[int(math.Ceil(q*float64(len(sorted))))-1] // nearest rank
				if rel := math.Abs(float64(got-want)) / float64(want); rel > 1.0/subCount {
					t.Errorf("q%.3f = %v, want %v within %.1f%% (off by %.2f%%)", q, got, want, 100.0/subCount, rel*100)
				}
				if got < prev {
					t.Errorf("q%.3f = %v below the previous quantile %v", q, got, prev)
				}
				prev = got
			}
		})
	}
}

func TestHistogramMergeAndClamp(t *testing.T) {
	var a, b Histogram
	a.Record(10 * time.Microsecond)
	b.Record(30 * time.Microsecond)
	b.Record(time.Hour) // beyond the top bucket: counted, clamped to Max
	a.Merge(&b)
	if a.Count() != 3 || a.Min() != 10*time.Microsecond || a.Max() != time.Hour {
		t.Fatalf("merged count/min/max = %d/%v/%v", a.Count(), a.Min(), a.Max())
	}
	if got := a.Quantile(0.5); got < 29*time.Microsecond || got > 31*time.Microsecond {
		t.Errorf("p50 = %v, want ~30µs", got)
	}
	if got := a.Quantile(1); got != time.Hour {
		t.Errorf("p100 = %v, want 1h (clamped to max)", got)
	}
	if want := (10*time.Microsecond + 30*time.Microsecond + time.Hour) / 3; a.Mean() != want {
		t.Errorf("mean = %v, want %v", a.Mean(), want)
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		xs       []float64
		mean, ci float64
	}{
		{nil, 0, 0},
		{[]float64{5}, 5, 0},
		{[]float64{1, 2, 3}, 2, 4.303 * 1 / math.Sqrt(3)},
		{[]float64{10, 10, 10, 10}, 10, 0},
	}
	for _, tt := range tests {
		s := Summarize(tt.xs)
		if math.Abs(s.Mean-tt.mean) > 1e-9 || math.Abs(s.CI95-tt.ci) > 1e-9 {
			t.Errorf("Summarize(%v) = mean %v ci %v, want %v %v", tt.xs, s.Mean, s.CI95, tt.mean, tt.ci)
		}
	}
}

func seq(from, to, step int64) []time.Duration {
	var out []time.Duration
	for v := from; v <= to; v += step {
		out = append(out, time.Duration(v))
	}
	return out
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i&0xfffff) * 100)
	}
}
