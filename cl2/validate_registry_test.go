package cl2

import (
	"slices"
	"testing"

	"github.com/perflab/perflab/measure"
)

// Every method the registry says perflab runs has its params declared here,
// and a way to run it.
func TestMethodsMatchRegistry(t *testing.T) {
	runs := registry.Names(measure.ClusterLoader2, measure.Measured, measure.Step)
	var have []string
	for n, s := range methods {
		have = append(have, n)
		if s.newFn == nil {
			t.Errorf("%s: no instance maker", n)
		}
	}
	slices.Sort(have)
	if !slices.Equal(runs, have) {
		t.Errorf("registry runs %v; cl2 declares %v", runs, have)
	}
}
