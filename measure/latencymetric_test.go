package measure

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Hand-computed nearest-rank percentiles: rank = ceil(p/100*n), 1-based.
func TestNewLatencyMetricNearestRank(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name          string
		in            []time.Duration
		p50, p90, p99 time.Duration
	}{
		{"empty", nil, 0, 0, 0},
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		// n=4: p50 rank 2, p90 rank ceil(3.6)=4, p99 rank 4.
		{"four unsorted", ms(40, 10, 30, 20), 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond},
		// n=10 (1..10): p50 rank 5, p90 rank 9, p99 rank ceil(9.9)=10.
		{"ten", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 5 * time.Millisecond, 9 * time.Millisecond, 10 * time.Millisecond},
		// n=5: p50 rank ceil(2.5)=3, p90 rank ceil(4.5)=5.
		{"five", ms(1, 2, 3, 4, 100), 3 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewLatencyMetric(tt.in)
			if got.P50 != tt.p50 || got.P90 != tt.p90 || got.P99 != tt.p99 || got.Count != len(tt.in) {
				t.Errorf("got %+v, want p50 %v p90 %v p99 %v", got, tt.p50, tt.p90, tt.p99)
			}
		})
	}
}

// n=200 values 1..200 (shuffled): p50 rank 100, p90 rank 180, p99 rank 198.
func TestNewLatencyMetricLarge(t *testing.T) {
	in := make([]time.Duration, 200)
	for i := range in {
		in[i] = time.Duration(i + 1)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	got := NewLatencyMetric(in)
	if got.P50 != 100 || got.P90 != 180 || got.P99 != 198 {
		t.Errorf("got %+v, want 100/180/198", got)
	}
}

func TestSummarizeThroughput(t *testing.T) {
	// n=3 sorted {0, 2, 6}: p50 rank 2, p90 rank 3, p99 rank 3, max 6.
	got := summarizeThroughput([]float64{6, 0, 2})
	want := ThroughputSummary{Perc50: 2, Perc90: 6, Perc99: 6, Max: 6}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if (summarizeThroughput(nil) != ThroughputSummary{}) {
		t.Error("empty samples should give zeros")
	}
}

func TestExceeds(t *testing.T) {
	m := LatencyMetric{P50: time.Second, P90: 2 * time.Second, P99: 3 * time.Second}
	for _, tt := range []struct {
		th   time.Duration
		want string
	}{
		{3 * time.Second, ""},
		{2500 * time.Millisecond, "p99 3s > 2.5s"},
		{500 * time.Millisecond, "p50 1s > 500ms"},
	} {
		if got := m.Exceeds(tt.th, tt.th, tt.th); got != tt.want {
			t.Errorf("threshold %v: got %q, want %q", tt.th, got, tt.want)
		}
	}
}
