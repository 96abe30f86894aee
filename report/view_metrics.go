package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/perflab/perflab/metrics"
)

// maxSeries bounds the lines of one metric chart: the series with the
// highest peaks are drawn, the table says how many were left out.
const maxSeries = 8

// metricSections charts kube-burner metric documents (one chart per
// metricName, one line per label set) and lists the alerts, which are also
// marked on every chart as points.
func metricSections(r *Run, id string) []Section {
	if len(r.Series) == 0 && len(r.Alerts) == 0 {
		return nil
	}
	s := Section{Title: "Metrics"}
	for i, name := range slices.Sorted(maps.Keys(r.Series)) {
		c, left := metricChart(fmt.Sprintf("%s-m%d", id, i), name, r.Series[name], r.Alerts)
		if left > 0 {
			c.Title += fmt.Sprintf(" (%d more series not drawn)", left)
		}
		s.Charts = append(s.Charts, c)
	}
	if len(r.Alerts) > 0 {
		t := Table{Title: "Alerts fired", Header: []string{"time", "severity", "job", "description"}}
		for _, a := range r.Alerts {
			t.Rows = append(t.Rows, []string{a.Timestamp.UTC().Format("15:04:05"), string(a.Severity), orDash(a.JobName), a.Description})
			t.Status = append(t.Status, "fail")
		}
		s.Tables = append(s.Tables, t)
	}
	return []Section{s}
}

func labelKey(l map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, k+"="+l[k])
	}
	if len(parts) == 0 {
		return "value"
	}
	return strings.Join(parts, ",")
}

func metricChart(id, name string, docs []metrics.Document, alerts []metrics.AlertDocument) (Chart, int) {
	byKey := map[string]map[float64]float64{}
	times := map[float64]bool{}
	peak := map[string]float64{}
	for _, d := range docs {
		k := labelKey(d.Labels)
		if byKey[k] == nil {
			byKey[k] = map[float64]float64{}
		}
		t := float64(d.Timestamp.UnixMilli()) / 1000
		byKey[k][t] = d.Value
		times[t] = true
		peak[k] = max(peak[k], d.Value)
	}
	keys := slices.Sorted(maps.Keys(byKey))
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(peak[b], peak[a]) })
	left := max(0, len(keys)-maxSeries)
	keys = keys[:min(len(keys), maxSeries)]
	xs := slices.Sorted(maps.Keys(times))
	c := Chart{ID: id, Title: name, Kind: ChartLine, XLabel: "time", YLabel: name, XTime: true}
	for _, k := range keys {
		y := make([]float64, len(xs))
		for i, x := range xs {
			v, ok := byKey[k][x]
			if !ok {
				v = math.NaN()
			}
			y[i] = v
		}
		var vy Values
		c.X, vy = downsample(xs, y)
		c.Series = append(c.Series, Series{Label: k, Values: vy})
	}
	if len(alerts) > 0 && len(c.X) > 0 {
		c.Series = append(c.Series, alertSeries(c.X, alerts, peak))
	}
	return c, left
}

// alertSeries marks each alert at the chart's nearest x, at the top of the
// chart's range.
func alertSeries(x Values, alerts []metrics.AlertDocument, peak map[string]float64) Series {
	top := 0.0
	for _, p := range peak {
		top = max(top, p)
	}
	v := make(Values, len(x))
	for i := range v {
		v[i] = math.NaN()
	}
	for _, a := range alerts {
		t := float64(a.Timestamp.UnixMilli()) / 1000
		i, _ := slices.BinarySearch(x, t)
		if i < len(x) {
			v[i] = top
		}
	}
	return Series{Label: "alert", Values: v, Points: true}
}
