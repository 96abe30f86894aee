package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/perflab/perflab/netperf"
)

func isLatencyTest(r netperf.Result) bool { return r.TransactionsPerSecond > 0 || r.LatencyP99Us > 0 }

// netperfName names a result without its BIG TCP setting, so the two sides
// of a BIG TCP A/B share a bar group.
func netperfName(r netperf.Result) string {
	parts := []string{string(r.Test)}
	if r.Scenario != "" {
		parts = append(parts, r.Scenario)
	}
	if r.Node != "" {
		parts = append(parts, r.Node)
	}
	if r.Streams > 1 {
		parts = append(parts, fmt.Sprintf("%d streams", r.Streams))
	}
	if r.MSS != 0 {
		parts = append(parts, fmt.Sprintf("MSS %d", r.MSS))
	}
	if r.Direction != "" && r.Direction != "forward" {
		parts = append(parts, r.Direction)
	}
	if r.MTU != 0 && r.MTU != 1500 { // 1500 is the lab's default
		parts = append(parts, fmt.Sprintf("MTU %d", r.MTU))
	}
	return strings.Join(parts, " ")
}

func bigTCPLabel(r netperf.Result, what string) string {
	if r.BigTCP == "" {
		return what
	}
	return what + ", BIG TCP " + r.BigTCP
}

func netperfSections(r *Run, id string) []Section {
	if len(r.Netperf) == 0 { // perfdash file only
		var out []Section
		for i, f := range r.Perfdash {
			out = append(out, perfdashSection(f, nil, fmt.Sprintf("%s-p%d", id, i)))
		}
		return out
	}
	t := Table{Header: []string{"test", "BIG TCP", "samples", "throughput", "±95%", "P50", "P90", "P99", "transactions/s", "retransmits", "CPU s/Gbit"}}
	for _, n := range r.Netperf {
		row := []string{netperfName(n), orDash(n.BigTCP), fmt.Sprint(n.Samples), "-", "-", "-", "-", "-", "-", fmt.Sprintf("%.0f", n.Retransmits), "-"}
		if n.ThroughputBps > 0 {
			row[3], row[4] = gbit(n.ThroughputBps), gbit(n.ThroughputCI95Bps)
		}
		if isLatencyTest(n) {
			row[5], row[6], row[7], row[8] = us(n.LatencyP50Us), us(n.LatencyP90Us), us(n.LatencyP99Us), fmt.Sprintf("%.0f", n.TransactionsPerSecond)
		}
		if n.CPUSecondsPerGbit > 0 {
			row[10] = fmt.Sprintf("%.3f", n.CPUSecondsPerGbit)
		}
		t.Rows = append(t.Rows, row)
	}
	s := Section{Title: "Network benchmark", Tables: []Table{t}}
	tput := func(n netperf.Result) (float64, bool) { return n.ThroughputBps / 1e9, n.ThroughputBps > 0 }
	cpu := func(n netperf.Result) (float64, bool) { return n.CPUSecondsPerGbit, n.CPUSecondsPerGbit > 0 }
	for _, c := range []Chart{
		netperfBars(id+"-tput", "Throughput", "Gbit/s", r.Netperf, []string{"throughput"}, func(n netperf.Result, _ int) (float64, bool) { return tput(n) }),
		netperfBars(id+"-lat", "Request/response latency", "µs", r.Netperf, []string{"P50", "P90", "P99"}, func(n netperf.Result, q int) (float64, bool) {
			return [3]float64{n.LatencyP50Us, n.LatencyP90Us, n.LatencyP99Us}[q], isLatencyTest(n)
		}),
		netperfBars(id+"-cpu", "CPU per Gbit (client + server)", "CPU seconds per Gbit", r.Netperf, []string{"CPU"}, func(n netperf.Result, _ int) (float64, bool) { return cpu(n) }),
	} {
		if len(c.Categories) > 0 {
			s.Charts = append(s.Charts, c)
		}
	}
	return []Section{s}
}

// netperfBars makes one bar per result that has the figure, grouped by
// netperfName; each measure (and each BIG TCP setting) is a series.
func netperfBars(id, title, unit string, rs []netperf.Result, measures []string, value func(netperf.Result, int) (float64, bool)) Chart {
	c := Chart{ID: id, Title: title, Kind: ChartBars, XLabel: "test", YLabel: unit}
	var cats, series []string
	vals := map[[2]string]float64{}
	for _, n := range rs {
		for q, m := range measures {
			v, ok := value(n, q)
			if !ok {
				continue
			}
			name, sname := netperfName(n), bigTCPLabel(n, m)
			if !slices.Contains(cats, name) {
				cats = append(cats, name)
			}
			if !slices.Contains(series, sname) {
				series = append(series, sname)
			}
			vals[[2]string{name, sname}] = v
		}
	}
	cats = cats[:min(len(cats), maxBars*2)]
	c.Categories = cats
	for i := range cats {
		c.X = append(c.X, float64(i))
	}
	for _, sn := range series {
		v := make(Values, len(cats))
		for i, cat := range cats {
			x, ok := vals[[2]string{cat, sn}]
			if !ok {
				x = nan()
			}
			v[i] = x
		}
		c.Series = append(c.Series, Series{Label: sn, Values: v})
	}
	return c
}

func gbit(bps float64) string { return fmt.Sprintf("%.2f Gbit/s", bps/1e9) }
func us(v float64) string     { return fmt.Sprintf("%.0fµs", v) }
