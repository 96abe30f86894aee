package cilium

import (
	"fmt"
	"math"
	"time"
)

// Conntrack GC interval rule, pkg/maps/ctmap/ctmap.go calculateInterval and
// GetInterval (defaults in pkg/defaults/defaults.go):
//   - the first interval is ConntrackGCStartingInterval (5m);
//   - delete ratio = entries deleted / map max entries (largest over the
//     CT maps, pkg/maps/ctmap/gc/gc.go runGC); 0 leaves the interval alone;
//   - ratio > 0.25: interval *= (1 - min(ratio, 0.9)), rounded to 1s, at
//     least ConntrackGCMinInterval (10s);
//   - ratio < 0.05: interval *= 1.5, rounded to 1s, at most
//     ConntrackGCMaxLRUInterval (12h);
//   - a set conntrack-gc-interval fixes the interval; a set
//     conntrack-gc-max-interval caps the computed one.
const (
	CTGCStartingInterval = 5 * time.Minute
	CTGCMinInterval      = 10 * time.Second
	CTGCMaxLRUInterval   = 12 * time.Hour
)

// CTGCConfig holds the two agent options that override the rule.
type CTGCConfig struct {
	Fixed time.Duration // conntrack-gc-interval, 0 = dynamic
	Max   time.Duration // conntrack-gc-max-interval, 0 = none
}

// NextCTGCInterval returns the interval after a run that deleted
// deleteRatio of the map, given the previous interval (0 = first run).
func NextCTGCInterval(prev time.Duration, deleteRatio float64, c CTGCConfig) (time.Duration, error) {
	if math.IsNaN(deleteRatio) || deleteRatio < 0 {
		return 0, fmt.Errorf("delete ratio %v: must be >= 0", deleteRatio)
	}
	if c.Fixed != 0 {
		return c.Fixed, nil
	}
	if prev == 0 {
		prev = CTGCStartingInterval
	}
	next := prev
	switch {
	case deleteRatio == 0:
	case deleteRatio > 0.25:
		r := min(deleteRatio, 0.9)
		next = max(time.Duration(float64(prev)*(1.0-r)).Round(time.Second), CTGCMinInterval)
	case deleteRatio < 0.05:
		next = min(time.Duration(float64(prev)*1.5).Round(time.Second), CTGCMaxLRUInterval)
	}
	if c.Max != 0 && next > c.Max {
		next = c.Max
	}
	return next, nil
}

// CTGCSeries applies NextCTGCInterval to a series of delete ratios and
// returns the interval after each run, starting from the 5m default.
func CTGCSeries(ratios []float64, c CTGCConfig) ([]time.Duration, error) {
	out := make([]time.Duration, 0, len(ratios))
	var cur time.Duration
	for i, r := range ratios {
		next, err := NextCTGCInterval(cur, r, c)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		out = append(out, next)
		cur = next
	}
	return out, nil
}

// SteadyCTGC simulates GC runs for a constant flow of entries that expire
// (ratePerSec entries become deletable per second, capacity = map size)
// and returns the interval the agent settles on after runs iterations.
func SteadyCTGC(ratePerSec float64, capacity int, c CTGCConfig, runs int) time.Duration {
	var cur time.Duration
	for i := 0; i < runs; i++ {
		iv := cur
		if iv == 0 {
			iv = CTGCStartingInterval
		}
		deleted := math.Min(ratePerSec*iv.Seconds(), float64(capacity))
		next, _ := NextCTGCInterval(cur, deleted/float64(capacity), c)
		cur = next
	}
	if cur == 0 {
		return CTGCStartingInterval
	}
	return cur
}
