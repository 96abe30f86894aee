package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/perflab/perflab/metrics"
)

// figuresSection charts the API server figures of a window: one bar chart
// per figure, the largest series first.
func figuresSection(f *Figures, id string) Section {
	s := Section{Title: "API server (from its /metrics, start to end of the run)"}
	s.Note = fmt.Sprintf("%s to %s (%s): %.0f requests, %.1f/s", f.Start.UTC().Format("15:04:05"), f.End.UTC().Format("15:04:05 UTC"),
		(time.Duration(f.WindowSeconds * float64(time.Second))).Round(time.Second), f.TotalRequests, f.TotalRequests/max(f.WindowSeconds, 1e-9))
	for i, fig := range f.Figures {
		series := slices.Clone(fig.Series)
		series = slices.DeleteFunc(series, func(s metrics.Series) bool { return s.Value == 0 })
		if len(series) == 0 {
			continue
		}
		slices.SortStableFunc(series, func(a, b metrics.Series) int { return cmp.Compare(b.Value, a.Value) })
		title := fig.MetricName
		if len(series) > maxBars {
			title += fmt.Sprintf(" (largest %d of %d)", maxBars, len(series))
			series = series[:maxBars]
		}
		c := Chart{ID: fmt.Sprintf("%s-%d", id, i), Title: title, Kind: ChartBars, XLabel: strings.Join(labelNames(series), ", "), YLabel: fig.Unit}
		v := make(Values, len(series))
		for j, sr := range series {
			c.Categories = append(c.Categories, labelValues(sr.Labels))
			c.X = append(c.X, float64(j))
			v[j] = sr.Value
		}
		c.Series = []Series{{Label: fig.Unit, Values: v}}
		s.Charts = append(s.Charts, c)
	}
	return s
}

func labelNames(series []metrics.Series) []string {
	names := map[string]bool{}
	for _, s := range series {
		for k := range s.Labels {
			names[k] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}

func labelValues(l metrics.Labels) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, l[k])
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}
