package clusterbench

import (
	"fmt"
	"strconv"
	"strings"
)

// Size is one benchmark size.
type Size struct{ Nodes, Pods int }

func (s Size) String() string { return fmt.Sprintf("%dx%d", s.Nodes, s.Pods) }

// ParseSizes zips the comma lists of --nodes and --pods pairwise; a list of
// one value pairs with every value of the other ("100" and "1000,10000" are
// 100x1000 and 100x10000).
func ParseSizes(nodes, pods string) ([]Size, error) {
	ns, err := positiveList("--nodes", nodes)
	if err != nil {
		return nil, err
	}
	ps, err := positiveList("--pods", pods)
	if err != nil {
		return nil, err
	}
	n := max(len(ns), len(ps))
	if len(ns) != n && len(ns) != 1 || len(ps) != n && len(ps) != 1 {
		return nil, fmt.Errorf("--nodes %q and --pods %q: lists of %d and %d values; give both the same length, or one a single value", nodes, pods, len(ns), len(ps))
	}
	out := make([]Size, n)
	for i := range out {
		out[i] = Size{ns[min(i, len(ns)-1)], ps[min(i, len(ps)-1)]}
	}
	return out, nil
}

func positiveList(flag, s string) ([]int, error) {
	var out []int
	for i, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%s %q: value %d (%q) is not a positive integer", flag, s, i+1, f)
		}
		out = append(out, v)
	}
	return out, nil
}
