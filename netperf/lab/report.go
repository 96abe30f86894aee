package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/perflab/perflab/netperf"
)

// Write prints the report: table (results, BIG TCP read-back and the off/on
// comparison), json ({"results": [...], ...}) or csv (perf-tests layout).
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		return netperf.WriteCSV(w, r.Results)
	case "table", "":
	default:
		return netperf.Write(w, format, nil) // reports the bad format
	}
	fmt.Fprintf(w, "Lab %s: kernel %s, MTU %d\n", r.Prefix, r.Kernel, r.MTU)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	if len(r.GSO) > 0 {
		l := r.GSO[0]
		fmt.Fprintf(w, "BIG TCP: %d veth ends set and read back over netlink (e.g. %s/%s gso_max_size %d gro_max_size %d gso_ipv4_max_size %d gro_ipv4_max_size %d)\n",
			len(r.GSO), l.Namespace, l.Link, l.GSOMax, l.GROMax, l.GSOIPv4, l.GROIPv4)
	}
	fmt.Fprintln(w)
	if err := netperf.WriteTable(w, r.Results); err != nil {
		return err
	}
	return writeBigTCPComparison(w, r.Results)
}

// writeBigTCPComparison pairs each throughput result run with BIG TCP off
// and on and prints the change in throughput and CPU per Gbit/s.
func writeBigTCPComparison(w io.Writer, rs []netperf.Result) error {
	type key struct {
		scenario, node, direction string
		test                      netperf.Test
		streams, mss              int
	}
	off := map[key]netperf.Result{}
	for _, r := range rs {
		if r.BigTCP == "off" {
			off[key{r.Scenario, r.Node, r.Direction, r.Test, r.Streams, r.MSS}] = r
		}
	}
	t := netperf.PerfTable("\nBIG TCP off → on (64K → 192K GSO/GRO)",
		"Scenario", "Node", "Test", "Streams", "Mb/s off", "Mb/s on", "Δ throughput", "CPU s/Gbit off", "CPU s/Gbit on", "Δ CPU/Gbit")
	for _, on := range rs {
		if on.BigTCP != "on" || on.Test != netperf.TCPStream {
			continue
		}
		o, ok := off[key{on.Scenario, on.Node, on.Direction, on.Test, on.Streams, on.MSS}]
		if !ok {
			continue
		}
		t.Add(on.Scenario, on.Node, on.Test, on.Streams,
			fmt.Sprintf("%.2f", o.ThroughputBps/1e6), fmt.Sprintf("%.2f", on.ThroughputBps/1e6), pct(o.ThroughputBps, on.ThroughputBps),
			fmt.Sprintf("%.4f", o.CPUSecondsPerGbit), fmt.Sprintf("%.4f", on.CPUSecondsPerGbit), pct(o.CPUSecondsPerGbit, on.CPUSecondsPerGbit))
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t.Render(w)
}

func pct(from, to float64) string {
	if from == 0 {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", 100*(to-from)/from)
}

// RunAndReport runs the lab and writes its report (perflab netperf lab).
func RunAndReport(ctx context.Context, o Options, ro netperf.ReportOptions, w io.Writer) error {
	if err := ro.Validate(); err != nil {
		return err
	}
	rep, err := Run(ctx, o)
	if rep != nil && len(rep.Results) > 0 {
		err = errors.Join(err, ro.Emit(w, rep.Results, rep.Write))
	}
	return err
}
