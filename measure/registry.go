package measure

import (
	"fmt"
	"sort"
)

// Tool is the tool whose config names a measurement.
type Tool string

// The tools perflab runs configs of.
const (
	KubeBurner     Tool = "kube-burner"
	ClusterLoader2 Tool = "clusterloader2"
)

// Kind says who runs a registered name.
type Kind int

const (
	// Measured names are implemented here: Entry.New makes an instance.
	Measured Kind = iota
	// Step names are ClusterLoader2 methods that act rather than measure
	// (waits, timers, sleeps, load); the engine runs them itself.
	Step
	// Skipped names are known but not run: each use is one warning saying
	// Entry.Why, and the config runs without it.
	Skipped
)

// Factory makes one instance of a measurement.
type Factory func(Config) (Measurement, error)

// Entry is one registered name.
type Entry struct {
	Tool Tool
	Name string
	Kind Kind
	New  Factory // Measured only
	// JobTypes are the kube-burner job types the measurement runs in (as
	// kube-burner's IsCompatible); empty means every type.
	JobTypes []string
	// Conditions are the quantile names kube-burner thresholds may name
	// (conditionType); empty means any.
	Conditions []string
	// Why a Skipped name is not run.
	Why string
}

// RunsIn reports whether the entry runs in a kube-burner job of type t.
func (e Entry) RunsIn(t string) bool {
	if len(e.JobTypes) == 0 {
		return true
	}
	for _, j := range e.JobTypes {
		if j == t {
			return true
		}
	}
	return false
}

// Registry maps each tool's measurement names to entries. It is built once
// and never changes.
type Registry struct {
	byTool map[Tool]map[string]Entry
}

// NewRegistry builds a registry; a name registered twice for one tool, or
// an entry missing what its kind needs, is an error.
func NewRegistry(entries ...Entry) (*Registry, error) {
	r := &Registry{byTool: map[Tool]map[string]Entry{}}
	for _, e := range entries {
		switch {
		case e.Kind == Measured && e.New == nil:
			return nil, fmt.Errorf("measure: %s %s: measured without a factory", e.Tool, e.Name)
		case e.Kind == Skipped && e.Why == "":
			return nil, fmt.Errorf("measure: %s %s: skipped without a reason", e.Tool, e.Name)
		}
		m := r.byTool[e.Tool]
		if m == nil {
			m = map[string]Entry{}
			r.byTool[e.Tool] = m
		}
		if _, dup := m[e.Name]; dup {
			return nil, fmt.Errorf("measure: %s %s registered twice", e.Tool, e.Name)
		}
		m[e.Name] = e
	}
	return r, nil
}

// Lookup returns the entry of a tool's measurement name.
func (r *Registry) Lookup(t Tool, name string) (Entry, bool) {
	e, ok := r.byTool[t][name]
	return e, ok
}

// Names lists a tool's names of the given kinds (all kinds when none),
// sorted.
func (r *Registry) Names(t Tool, kinds ...Kind) []string {
	var out []string
	for n, e := range r.byTool[t] {
		if len(kinds) == 0 || hasKind(kinds, e.Kind) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func hasKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Default returns the registry of every name perflab knows: the
// measurements implemented in this package under kube-burner's and
// ClusterLoader2's names, ClusterLoader2's steps, and the skipped rest.
// Adding a measurement is one file with its Factory plus one line here.
func Default() *Registry {
	r, err := NewRegistry(append(kubeBurnerEntries(), clusterLoader2Entries()...)...)
	if err != nil {
		panic(err) // the tables below are fixed; a test builds them
	}
	return r
}
