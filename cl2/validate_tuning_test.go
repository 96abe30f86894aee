package cl2

import (
	"slices"
	"testing"
	"time"
)

func TestTuningSetCheck(t *testing.T) {
	d := func(v time.Duration) Duration { return Duration(v) }
	tests := []struct {
		name string
		ts   TuningSet
		want []fieldMsg
	}{
		// CL2's load config renders timeLimit: 0s on small runs; CL2 runs it.
		{"randomized time limit 0", TuningSet{RandomizedTimeLimitedLoad: &RandomizedTimeLimitedLoad{TimeLimit: d(0)}}, nil},
		{"time limit 0", TuningSet{TimeLimitedLoad: &TimeLimitedLoad{TimeLimit: d(0)}}, nil},
		{"negative time limit", TuningSet{RandomizedTimeLimitedLoad: &RandomizedTimeLimitedLoad{TimeLimit: d(-time.Second)}},
			[]fieldMsg{{".randomizedTimeLimitedLoad.timeLimit", "must not be negative"}}},
		{"qps 0", TuningSet{QPSLoad: &QPSLoad{QPS: 0}}, []fieldMsg{{".qpsLoad.qps", "must be positive"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ts.check(); !slices.Equal(got, tt.want) {
				t.Errorf("check() = %v, want %v", got, tt.want)
			}
		})
	}
}
