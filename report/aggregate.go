package report

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
)

// maxPoints bounds every chart's x so that a run of 150,000 pods makes a
// page of the same size as a run of 100.
const maxPoints = 240

// cdfChart draws, for each named sample, the share of values at or below x
// on one grid of at most maxPoints steps from 0 to the largest value.
func cdfChart(id, title, unit string, names []string, samples [][]float64) Chart {
	top := 0.0
	sorted := make([][]float64, len(samples))
	for i, s := range samples {
		sorted[i] = sortedCopy(s)
		if len(s) > 0 {
			top = max(top, sorted[i][len(s)-1])
		}
	}
	grid := gridTo(top)
	c := Chart{ID: id, Title: title, Kind: ChartStep, XLabel: unit, YLabel: "share of samples ≤ x (%)", X: grid, YRange: &[2]float64{0, 100}}
	for i, s := range sorted {
		v := make(Values, len(grid))
		for j, x := range grid {
			if len(s) == 0 {
				v[j] = math.NaN()
				continue
			}
			v[j] = 100 * float64(sort.SearchFloat64s(s, math.Nextafter(x, math.Inf(1)))) / float64(len(s))
		}
		c.Series = append(c.Series, Series{Label: names[i], Values: v})
	}
	return c
}

// gridTo is 0 and then up to maxPoints-1 evenly spaced steps to top, with a
// step that is a whole number when top allows (millisecond latencies).
func gridTo(top float64) Values {
	if top <= 0 {
		return Values{0, 1}
	}
	step := top / float64(maxPoints-1)
	if top >= maxPoints {
		step = math.Ceil(step)
	}
	g := Values{}
	for x := 0.0; ; x += step {
		g = append(g, x)
		if x >= top {
			break
		}
	}
	return g
}

// event is a count of things that happened at a time (Unix seconds).
type event struct {
	series int
	at     float64
}

// timeline counts, for each series, the events at or before each of at
// most maxPoints instants from the first event to the last.
func timeline(id, title string, names []string, events []event) Chart {
	c := Chart{ID: id, Title: title, Kind: ChartStep, XLabel: "time", YLabel: "count", XTime: true}
	if len(events) == 0 {
		return c
	}
	slices.SortFunc(events, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	first, last := events[0].at, events[len(events)-1].at
	n := maxPoints
	if last-first < float64(n) { // whole seconds are enough below 4 minutes
		n = int(last-first) + 2
	}
	step := (last - first) / float64(max(n-1, 1))
	counts := make([]int, len(names))
	c.X = make(Values, n)
	vals := make([]Values, len(names))
	for i := range vals {
		vals[i] = make(Values, n)
	}
	k := 0
	for i := range n {
		x := first + float64(i)*step
		if i == n-1 {
			x = last
		}
		for k < len(events) && events[k].at <= x {
			counts[events[k].series]++
			k++
		}
		c.X[i] = x
		for s := range vals {
			vals[s][i] = float64(counts[s])
		}
	}
	for i, name := range names {
		c.Series = append(c.Series, Series{Label: name, Values: vals[i]})
	}
	return c
}

// downsample averages y over at most maxPoints equal slices of x.
func downsample(x, y []float64) (Values, Values) {
	if len(x) <= maxPoints {
		return Values(slices.Clone(x)), Values(slices.Clone(y))
	}
	ox, oy := make(Values, 0, maxPoints), make(Values, 0, maxPoints)
	per := float64(len(x)) / maxPoints
	for i := range maxPoints {
		a, b := int(float64(i)*per), int(float64(i+1)*per)
		b = min(max(b, a+1), len(x))
		sx, sy, n := 0.0, 0.0, 0
		for j := a; j < b; j++ {
			sx += x[j]
			if !math.IsNaN(y[j]) {
				sy += y[j]
				n++
			}
		}
		ox = append(ox, sx/float64(b-a))
		if n == 0 {
			oy = append(oy, math.NaN())
		} else {
			oy = append(oy, sy/float64(n))
		}
	}
	return ox, oy
}

func nan() float64 { return math.NaN() }

// noteHidden says in the title which series lie exactly under a later one
// (drawn on top, so only one line shows): the legend lists both.
func noteHidden(c Chart) Chart {
	var notes []string
	for i, s := range c.Series {
		for _, later := range c.Series[i+1:] {
			if slices.EqualFunc(s.Values, later.Values, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				notes = append(notes, s.Label+" = "+later.Label)
				break
			}
		}
	}
	if len(notes) > 0 {
		c.Title += " (same values, drawn as one line: " + strings.Join(notes, ", ") + ")"
	}
	return c
}
