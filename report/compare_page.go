package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// BuildComparePage lays out a comparison: the verdict table, the change of
// every figure as bars, and the pod latency distributions of both sides.
func BuildComparePage(base, cand []*Run, c *Comparison) Page {
	p := Page{Title: fmt.Sprintf("perflab compare (%s)", c.Kind), Compare: c}
	p.Sections = append(p.Sections, changeChart(c))
	for _, job := range jobNames(append(append([]*Run{}, base...), cand...)) {
		var names []string
		var samples [][]float64
		for _, cond := range []int{0, 3} { // PodScheduled and Ready
			cl := conditionLatency[cond]
			for _, side := range []struct {
				name string
				runs []*Run
			}{{"baseline", base}, {"candidate", cand}} {
				var v []float64
				for _, r := range side.runs {
					v = append(v, podValues(r.Pods[job], cl.of)...)
				}
				names, samples = append(names, side.name+" "+cl.name), append(samples, v)
			}
		}
		if slices.ContainsFunc(samples, isEmpty) {
			continue
		}
		p.Sections = append(p.Sections, Section{Title: "Pod latency: " + job, Charts: []Chart{
			noteHidden(cdfChart(fmt.Sprintf("cmp-cdf-%d", len(p.Sections)), "Latency distribution, baseline against candidate", "latency (ms)", names, samples))}})
	}
	return p
}

// changeChart draws each figure's change in percent (the largest 24 by
// size), one series per verdict so colour says what the table says.
func changeChart(c *Comparison) Section {
	figs := slices.Clone(c.Figures)
	slices.SortStableFunc(figs, func(a, b Figure) int { return cmp.Compare(math.Abs(b.ChangePct), math.Abs(a.ChangePct)) })
	figs = figs[:min(len(figs), 2*maxBars)]
	ch := Chart{ID: "cmp-change", Title: fmt.Sprintf("Change from baseline to candidate (tolerance ±%g%%)", 100*c.Tolerance), Kind: ChartBars, XLabel: "figure", YLabel: "change (%)"}
	verdicts := []string{VerdictRegression, VerdictImprovement, VerdictSmall, VerdictNotSignificant, VerdictWithin}
	series := make([]Values, len(verdicts))
	for i := range series {
		series[i] = make(Values, len(figs))
		for j := range series[i] {
			series[i][j] = math.NaN()
		}
	}
	for j, f := range figs {
		ch.Categories = append(ch.Categories, f.Name)
		ch.X = append(ch.X, float64(j))
		series[slices.Index(verdicts, f.Verdict)][j] = f.ChangePct
	}
	for i, v := range verdicts {
		if slices.ContainsFunc(series[i], func(x float64) bool { return !math.IsNaN(x) }) {
			ch.Series = append(ch.Series, Series{Label: v, Values: series[i]})
		}
	}
	return Section{Title: "Changes", Note: c.Verdict(), Charts: []Chart{ch}}
}
