package burner

import (
	"slices"
	"testing"
)

func TestIncrementalSteps(t *testing.T) {
	for _, tc := range []struct {
		name string
		iter int
		il   IncrementalLoad
		want []int
	}{
		{"linear stepSize", 5, IncrementalLoad{StartIterations: 10, TotalIterations: 50, Pattern: LoadPattern{Linear: &LinearPattern{StepSize: 10}}}, []int{10, 20, 30, 40, 50}},
		{"linear default step 1", 5, IncrementalLoad{StartIterations: 2, TotalIterations: 5}, []int{2, 3, 4, 5}},
		{"linear last step capped", 5, IncrementalLoad{StartIterations: 10, TotalIterations: 35, Pattern: LoadPattern{Type: PatternLinear, Linear: &LinearPattern{StepSize: 10}}}, []int{10, 20, 30, 35}},
		{"linear minSteps shrinks the step", 5, IncrementalLoad{StartIterations: 10, TotalIterations: 50, Pattern: LoadPattern{Linear: &LinearPattern{StepSize: 40, MinSteps: 4}}}, []int{10, 20, 30, 40, 50}},
		{"start defaults to jobIterations", 7, IncrementalLoad{TotalIterations: 9}, []int{7, 8, 9}},
		{"total defaults to start", 7, IncrementalLoad{}, []int{7}},
		{"start above total", 7, IncrementalLoad{StartIterations: 20, TotalIterations: 10}, []int{20}},
		{"exponential doubles (documented progression)", 1, IncrementalLoad{StartIterations: 5, TotalIterations: 100, Pattern: LoadPattern{Type: PatternExponential, Exponential: &ExponentialPattern{Base: 2}}}, []int{5, 10, 20, 40, 80, 100}},
		{"exponential default base 2", 1, IncrementalLoad{StartIterations: 3, TotalIterations: 20, Pattern: LoadPattern{Type: PatternExponential}}, []int{3, 6, 12, 20}},
		{"exponential warmup then base 3", 1, IncrementalLoad{StartIterations: 2, TotalIterations: 60, Pattern: LoadPattern{Type: PatternExponential, Exponential: &ExponentialPattern{Base: 3, WarmupSteps: 2}}}, []int{2, 4, 6, 18, 54, 60}},
		{"exponential maxIncrease", 1, IncrementalLoad{StartIterations: 10, TotalIterations: 100, Pattern: LoadPattern{Type: PatternExponential, Exponential: &ExponentialPattern{MaxIncrease: 25}}}, []int{10, 20, 40, 65, 90, 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := incrementalSteps(tc.iter, &tc.il); !slices.Equal(got, tc.want) {
				t.Errorf("steps = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestObjectRepeat(t *testing.T) {
	for _, tc := range []struct {
		name       string
		o          Object
		iterations int
		created    []int // iterations that create
		tmplIters  []int // their .Iteration
	}{
		{"every iteration", Object{}, 4, []int{0, 1, 2, 3}, []int{0, 1, 2, 3}},
		{"every 2nd", Object{RepeatEveryNIterations: 2}, 5, []int{0, 2, 4}, []int{0, 1, 2}},
		{"every 3rd", Object{RepeatEveryNIterations: 3}, 6, []int{0, 3}, []int{0, 1}},
		{"runOnce", Object{RunOnce: true}, 4, []int{0}, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var created, tmpl []int
			for i := range tc.iterations {
				if ok, ti := tc.o.creates(i); ok {
					created, tmpl = append(created, i), append(tmpl, ti)
				}
			}
			if !slices.Equal(created, tc.created) || !slices.Equal(tmpl, tc.tmplIters) {
				t.Errorf("creates at %v with .Iteration %v, want %v with %v", created, tmpl, tc.created, tc.tmplIters)
			}
			if got := tc.o.copies(tc.iterations); got != len(tc.created) {
				t.Errorf("copies(%d) = %d, want %d", tc.iterations, got, len(tc.created))
			}
		})
	}
}
