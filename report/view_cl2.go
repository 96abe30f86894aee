package report

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// maxBars bounds the categories of one bar chart (the highest P99 first).
const maxBars = 12

// cl2Threshold is ClusterLoader2's default SLO for a data item's Perc99, in
// milliseconds, or 0 where CL2 states none: pod startup 5 s; API calls 1 s
// for single objects, 5 s for namespace-scoped LISTs, 30 s cluster-wide.
func cl2Threshold(summary string, labels map[string]string) float64 {
	switch {
	case strings.HasPrefix(summary, "PodStartupLatency") && labels["Metric"] == "pod_startup":
		return 5000
	case strings.HasPrefix(summary, "APIResponsiveness"):
		switch labels["Scope"] {
		case "resource":
			return 1000
		case "namespace":
			return 5000
		case "cluster":
			return 30000
		}
	}
	return 0
}

func cl2Sections(r *Run, id string) []Section {
	var out []Section
	if r.JUnit != nil {
		out = append(out, junitSection(r.JUnit))
	}
	for i, f := range r.Perfdash {
		out = append(out, perfdashSection(f, r.JUnit, fmt.Sprintf("%s-p%d", id, i)))
	}
	if r.Figures != nil {
		out = append(out, figuresSection(r.Figures, id+"-api"))
	}
	return out
}

func junitSection(j *JUnit) Section {
	t := Table{Header: []string{"step or SLO", "duration", "result", "detail"}}
	for _, c := range j.Cases {
		res, st, detail := "PASS", "pass", c.SystemOut
		if c.Failure != nil {
			res, st, detail = "FAIL", "fail", c.Failure.Text
		} else if strings.Contains(c.SystemOut, " > ") {
			res, st = "WARN", "warn"
		}
		t.Rows = append(t.Rows, []string{c.Name, fmtSeconds(c.Time), res, orDash(strings.TrimSpace(detail))})
		t.Status = append(t.Status, st)
	}
	return Section{Title: fmt.Sprintf("%s: %d steps and SLOs, %d failed", orDash(j.Name), j.Tests, j.Failures), Tables: []Table{t}}
}

// sloVerdict is the junit verdict of a measurement (the "SLO <Summary> ..."
// testcase perflab writes) and the threshold its text names, else "".
func sloVerdict(j *JUnit, summary string) (verdict, status, threshold string) {
	if j == nil {
		return "", "", ""
	}
	for _, c := range j.Cases {
		if !strings.Contains(c.Name, "SLO "+summary+" ") {
			continue
		}
		text := c.SystemOut
		if c.Failure != nil {
			text = c.Failure.Text
		}
		if m := thresholdText.FindStringSubmatch(text); m != nil {
			threshold = m[1]
		}
		switch {
		case c.Failure != nil:
			return "FAIL", "fail", threshold
		case strings.Contains(c.SystemOut, " > "):
			return "WARN", "warn", threshold
		}
		return "PASS", "pass", threshold
	}
	return "", "", ""
}

var thresholdText = regexp.MustCompile(`threshold (\S+)`)

func itemName(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if v := labels[k]; v != "" && k != "Count" && k != "SlowCount" {
			parts = append(parts, v)
		}
	}
	return orDash(strings.Join(parts, " "))
}

func perfdashSection(f PerfdashFile, j *JUnit, id string) Section {
	keys := map[string]bool{}
	for _, it := range f.Data.DataItems {
		for k := range it.Data {
			keys[k] = true
		}
	}
	cols := slices.Sorted(maps.Keys(keys))
	t := Table{Header: append(append([]string{"item"}, cols...), "unit", "SLO (P99)", "result")}
	verdict, vst, sloTh := sloVerdict(j, f.Summary)
	type bar struct {
		name   string
		values [3]float64
	}
	var bars []bar
	for _, it := range f.Data.DataItems {
		row := []string{itemName(it.Labels)}
		for _, c := range cols {
			if v, ok := it.Data[c]; ok {
				row = append(row, fmt.Sprintf("%.6g", v))
			} else {
				row = append(row, "-")
			}
		}
		res, st, thText := verdict, vst, "-"
		if th := cl2Threshold(f.Summary, it.Labels); th > 0 && it.Unit == "ms" {
			switch {
			case sloTh != "" && it.Labels["Metric"] == "pod_startup":
				thText = sloTh // the run's own threshold
			case verdict == "": // no verdict in junit.xml: judge by CL2's default
				thText = ms(th) + " (CL2 default)"
				res, st = "PASS", "pass"
				if it.Data["Perc99"] > th {
					res, st = "FAIL", "fail"
				}
			default:
				thText = ms(th) + " (CL2 default)"
			}
		}
		t.Rows = append(t.Rows, append(row, it.Unit, thText, orDash(res)))
		t.Status = append(t.Status, st)
		if _, ok := it.Data["Perc99"]; ok {
			bars = append(bars, bar{itemName(it.Labels), [3]float64{it.Data["Perc50"], it.Data["Perc90"], it.Data["Perc99"]}})
		}
	}
	s := Section{Title: "ClusterLoader2 " + f.Summary, Tables: []Table{t}}
	if f.Test != "" {
		s.Note = fmt.Sprintf("test %s, %s", f.Test, f.Time.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if len(bars) > 0 {
		slices.SortStableFunc(bars, func(a, b bar) int { return cmp.Compare(b.values[2], a.values[2]) })
		bars = bars[:min(len(bars), maxBars)]
		c := Chart{ID: id, Title: f.Summary + ": P50, P90, P99", Kind: ChartBars, XLabel: "item", YLabel: f.Data.DataItems[0].Unit}
		for i, b := range bars {
			c.Categories = append(c.Categories, b.name)
			c.X = append(c.X, float64(i))
		}
		for q, name := range []string{"P50", "P90", "P99"} {
			v := make(Values, len(bars))
			for i, b := range bars {
				v[i] = b.values[q]
			}
			c.Series = append(c.Series, Series{Label: name, Values: v})
		}
		s.Charts = append(s.Charts, c)
	}
	return s
}
