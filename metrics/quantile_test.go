package metrics

import (
	"math"
	"testing"
)

var inf = math.Inf(+1)

// standard is a histogram with 50 observations: 10 ≤ 0.1, 20 in (0.1,0.5],
// 10 in (0.5,1], 10 above 1.
var standard = []Bucket{{0.1, 10}, {0.5, 30}, {1, 40}, {inf, 50}}

func TestHistogramQuantile(t *testing.T) {
	tests := []struct {
		name    string
		q       float64
		buckets []Bucket
		want    float64
	}{
		// rank 25 in (0.1,0.5]: 0.1 + 0.4*(25-10)/20
		{"median interpolates", 0.5, standard, 0.4},
		// rank 5 in the lowest bucket, which starts at 0: 0.1*5/10
		{"lowest bucket from zero", 0.1, standard, 0.05},
		// rank 40 exactly at the top of (0.5,1]
		{"bucket edge", 0.8, standard, 1},
		// rank 45 in the +Inf bucket: highest finite bound
		{"+Inf bucket", 0.9, standard, 1},
		{"q=1", 1, standard, 1},
		{"q=0", 0, standard, 0},
		{"q<0", -0.1, standard, math.Inf(-1)},
		{"q>1", 1.1, standard, math.Inf(+1)},
		{"q NaN", math.NaN(), standard, math.NaN()},
		{"unsorted input", 0.5, []Bucket{{inf, 50}, {0.5, 30}, {1, 40}, {0.1, 10}}, 0.4},
		{"no +Inf bucket", 0.5, []Bucket{{0.1, 10}, {0.5, 30}}, math.NaN()},
		{"only +Inf", 0.5, []Bucket{{inf, 10}}, math.NaN()},
		{"no buckets", 0.5, nil, math.NaN()},
		{"no observations", 0.5, []Bucket{{0.1, 0}, {inf, 0}}, math.NaN()},
		// 0.5 bucket is raised from 8 to 10; rank 25 in (0.5,1]: 0.5+0.5*15/30
		{"monotonicity fix", 0.5, []Bucket{{0.1, 10}, {0.5, 8}, {1, 40}, {inf, 50}}, 0.75},
		// lowest bucket ≤ 0 returns its bound
		{"negative lowest bound", 0.1, []Bucket{{-1, 5}, {0, 10}, {1, 20}, {inf, 20}}, -1},
		// rank 8 in (-1,0]: -1 + 1*(8-5)/5
		{"negative buckets interpolate", 0.4, []Bucket{{-1, 5}, {0, 10}, {1, 20}, {inf, 20}}, -0.4},
		// le="1" twice merges to 10; rank 10 at top of (0,1]
		{"equal bounds merge", 0.5, []Bucket{{1, 5}, {1, 5}, {2, 20}, {inf, 20}}, 1},
		// empty lowest bucket and q=0: 0/0
		{"q=0 empty first bucket", 0, []Bucket{{1, 0}, {2, 10}, {inf, 10}}, math.NaN()},
		// 1.5's count, equal to 10 within 1e-12, is taken as 10; rank 15
		// falls in (1.5,2]: 1.5 + 0.5*(15-10)/10
		{"precision noise", 0.75, []Bucket{{1, 10}, {1.5, 10 - 1e-14}, {2, 20}, {inf, 20}}, 1.75},
		// API-server-like: 1000 requests, 990 ≤ 0.05s; p99 rank 990 at top of 0.05
		{"apiserver p99", 0.99, []Bucket{{0.005, 100}, {0.025, 700}, {0.05, 990}, {0.1, 1000}, {inf, 1000}}, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]Bucket(nil), tt.buckets...)
			got := HistogramQuantile(tt.q, tt.buckets)
			if !sameFloat(got, tt.want) {
				t.Fatalf("HistogramQuantile(%v, %v) = %v, want %v", tt.q, tt.buckets, got, tt.want)
			}
			for i := range in {
				if in[i] != tt.buckets[i] {
					t.Fatalf("input modified: %v became %v", in, tt.buckets)
				}
			}
		})
	}
}

// sameFloat compares with a relative tolerance of 1e-9, NaN equal to NaN.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) || b == 0 {
		return a == b
	}
	return math.Abs(a-b) <= 1e-9*math.Abs(b)
}

func BenchmarkHistogramQuantile(b *testing.B) {
	// The API server's request-duration buckets.
	bounds := []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60}
	bs := make([]Bucket, 0, len(bounds)+1)
	for i, ub := range bounds {
		bs = append(bs, Bucket{ub, float64(100 * (i + 1))})
	}
	bs = append(bs, Bucket{inf, float64(100 * (len(bounds) + 1))})
	b.ReportAllocs()
	for b.Loop() {
		HistogramQuantile(0.99, bs)
	}
}
