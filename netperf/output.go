package netperf

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/perflab/perflab/results"
)

// Formats lists the output formats of Write.
func Formats() []string { return []string{"table", "json", "csv"} }

// Write prints rs in format: table, json or csv.
func Write(w io.Writer, format string, rs []Result) error {
	switch format {
	case "table", "":
		return WriteTable(w, rs)
	case "json":
		return WriteJSON(w, rs)
	case "csv":
		return WriteCSV(w, rs)
	}
	return fmt.Errorf("%w: --output %q: want one of %s", ErrBadInput, format, strings.Join(Formats(), ", "))
}

// WriteJSON prints {"results": [...]}.
func WriteJSON(w io.Writer, rs []Result) error {
	if rs == nil {
		rs = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Results []Result `json:"results"`
	}{rs})
}

// WriteTable prints the summary in the layout of cilium connectivity perf:
// one table for latency tests, one for throughput tests.
func WriteTable(w io.Writer, rs []Result) error {
	var lat, thr []Result
	for _, r := range rs {
		if tests[r.Test].latency {
			lat = append(lat, r)
		} else {
			thr = append(thr, r)
		}
	}
	bigTCP := false
	for _, r := range rs {
		bigTCP = bigTCP || r.BigTCP != ""
	}
	base := []string{"Scenario", "Node"}
	if bigTCP {
		base = append(base, "BIG TCP")
	}
	row := func(t *results.Table, r Result, cols ...string) {
		cells := []string{orDash(r.Scenario), orDash(r.Node)}
		if bigTCP {
			cells = append(cells, orDash(r.BigTCP))
		}
		t.Rows = append(t.Rows, append(cells, cols...))
	}
	var tables []*results.Table
	if len(lat) > 0 {
		t := PerfTable("Latency tests", append(slices.Clip(base), "Test", "Duration", "Min", "Mean", "P50", "P90", "P99", "Max", "Transaction rate OP/s")...)
		for _, r := range lat {
			row(t, r, string(r.Test), dur(r.DurationSeconds), usStr(r.LatencyMinUs), usStr(r.LatencyMeanUs),
				usStr(r.LatencyP50Us), usStr(r.LatencyP90Us), usStr(r.LatencyP99Us), usStr(r.LatencyMaxUs),
				withCI(r.TransactionsPerSecond, r.TransactionsPerSecondCI95, 1))
		}
		tables = append(tables, t)
	}
	if len(thr) > 0 {
		t := PerfTable("Throughput tests", append(slices.Clip(base), "Test", "Duration", "Streams", "MSS", "Throughput Mb/s", "Sender Mb/s", "Retr", "Loss %", "CPU s/Gbit (client+server)")...)
		for _, r := range thr {
			loss := "-"
			if r.Test == UDPStream {
				loss = fmt.Sprintf("%.2f", r.UDPLossPercent)
			}
			mss := "default"
			if r.MSS != 0 {
				mss = fmt.Sprint(r.MSS)
			}
			name := string(r.Test)
			if r.Direction == "reverse" || r.Direction == "bidir" {
				name += " (" + r.Direction + ")"
			}
			row(t, r, name, dur(r.DurationSeconds), fmt.Sprint(r.Streams), mss,
				withCI(r.ThroughputBps/1e6, r.ThroughputCI95Bps/1e6, 2), fmt.Sprintf("%.2f", r.SenderThroughputBps/1e6),
				fmt.Sprintf("%.0f", r.Retransmits), loss, fmt.Sprintf("%.4f", r.CPUSecondsPerGbit))
		}
		tables = append(tables, t)
	}
	for i, t := range tables {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		if err := t.Render(w); err != nil {
			return err
		}
	}
	return nil
}

// PerfTable is a table in the layout of cilium connectivity perf: cells
// left-aligned, " | " between columns, every row indented by one blank.
func PerfTable(title string, header ...string) *results.Table {
	return &results.Table{Title: title, Header: header, Indent: " ", Sep: " | ", Plain: true}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func dur(sec float64) string { return time.Duration(sec * float64(time.Second)).String() }

func usStr(v float64) string { return fmt.Sprintf("%.1fµs", v) }

func withCI(v, ci float64, prec int) string {
	if ci == 0 {
		return fmt.Sprintf("%.*f", prec, v)
	}
	return fmt.Sprintf("%.*f ±%.*f", prec, v, prec, ci)
}

// WriteCSV prints throughput results in the perf-tests netperf layout: a
// header "MSS, Maximum, <mss>..." and one row per test with the maximum and
// one column per MSS, all in Mbit/s. MSS 0 (the kernel default) heads its
// column as "default".
func WriteCSV(w io.Writer, rs []Result) error {
	msss := map[int]bool{}
	type row struct {
		label string
		byMSS map[int]float64
	}
	var rows []*row
	index := map[string]*row{}
	for _, r := range rs {
		if !tests[r.Test].throughput {
			continue
		}
		msss[r.MSS] = true
		label := csvLabel(r)
		rw := index[label]
		if rw == nil {
			rw = &row{label: label, byMSS: map[int]float64{}}
			index[label] = rw
			rows = append(rows, rw)
		}
		rw.byMSS[r.MSS] = r.ThroughputBps / 1e6
	}
	cols := make([]int, 0, len(msss))
	for m := range msss {
		cols = append(cols, m)
	}
	sort.Ints(cols)
	var b strings.Builder
	b.WriteString("MSS                                          , Maximum,")
	for _, m := range cols {
		if m == 0 {
			b.WriteString(" default,")
		} else {
			fmt.Fprintf(&b, " %d,", m)
		}
	}
	b.WriteString("\n")
	for i, rw := range rows {
		var maxv float64
		for _, v := range rw.byMSS {
			maxv = max(maxv, v)
		}
		fmt.Fprintf(&b, "%-45s,%f,", fmt.Sprintf("%d %s", i+1, rw.label), maxv)
		for _, m := range cols {
			if v, ok := rw.byMSS[m]; ok {
				fmt.Fprintf(&b, "%.2f", v)
			}
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func csvLabel(r Result) string {
	parts := []string{string(r.Test) + "."}
	if r.Scenario != "" {
		parts = append(parts, r.Scenario)
	}
	if r.Node != "" {
		parts = append(parts, r.Node)
	}
	if r.Streams > 1 {
		parts = append(parts, fmt.Sprintf("%d streams", r.Streams))
	}
	if r.Direction == "reverse" || r.Direction == "bidir" {
		parts = append(parts, r.Direction)
	}
	if r.BigTCP != "" {
		parts = append(parts, "BIG TCP "+r.BigTCP)
	}
	if r.MTU != 0 {
		parts = append(parts, fmt.Sprintf("MTU %d", r.MTU))
	}
	return strings.Join(parts, " ")
}
