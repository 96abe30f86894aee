package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/report"
)

func newReportCommand() *cobra.Command {
	out := "report.html"
	cmd := &cobra.Command{
		Use: "report DIR... [-o report.html]",
		Example: `  perflab report collected-metrics-1234 -o run.html
  perflab report reports/ -o cl2.html                 # a ClusterLoader2 --report-dir
  perflab report old-kube-burner-run/ other-run/      # several runs on one page`,
		Short: "Build one self-contained HTML page with charts from result directories",
		Long: `Build report.html from one or more result directories: perflab init's metrics
directory, perflab cl2's --report-dir, perflab netperf's --report-dir, or
directories written by kube-burner or ClusterLoader2 themselves (same file
names and JSON shapes). The page carries its scripts, styles and data inline
and opens from file:// with no network.

Exit codes: 0 ok, 1 no results, unreadable or truncated files (the error names the file).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := report.Generate(args, out); err != nil {
				return exitcode.With(exitcode.Error, err)
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "report:", out)
			return err
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", out, "HTML file to write")
	return cmd
}

type compareOptions struct {
	baseline, candidate []string
	tolerance           percentValue
	out, format         string
}

func newCompareCommand() *cobra.Command {
	o := &compareOptions{tolerance: 0.10, format: "table"}
	cmd := &cobra.Command{
		Use: "compare BASELINE CANDIDATE | --baseline A,B,C --candidate D,E,F",
		Example: `  perflab compare run-qps5 run-qps50
  perflab compare --baseline a1,a2,a3 --candidate b1,b2,b3 --tolerance 5% -o compare.html
  perflab compare old new --format json`,
		Short: "Compare two runs (or groups of repeated runs) figure by figure, with significance",
		Long: `Compare a baseline with a candidate: job durations and objects/s, pod latency
quantiles per condition, metric series, ClusterLoader2 measurement values,
netperf throughput, latency and CPU per Gbit. Each figure is judged by what
its data allows, and the table says which:
  bootstrap 95% CI of quantile difference   per-pod latencies (one run a side)
  Mann–Whitney U                             per-interval samples (≥8 a side)
  sample spread (Welch t)                    a few samples a side
  run-to-run spread (Welch t)                two or more runs a side
  tolerance only (single values)             one value a side, nothing else
A regression is a significant worsening beyond --tolerance (for single
values: beyond it).

Exit codes: 0 no regression, 1 bad input (the error names the file) or
runs of different kinds, 4 a significant regression beyond the tolerance.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCompare(o, args, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.baseline, "baseline", nil, "baseline result directories (repeated runs), comma-separated")
	f.StringSliceVar(&o.candidate, "candidate", nil, "candidate result directories (repeated runs), comma-separated")
	f.Var(&o.tolerance, "tolerance", "relative change a figure may make before a significant worsening is a regression (e.g. 10%)")
	f.StringVarP(&o.out, "output", "o", "", "also write the comparison as an HTML page here")
	f.StringVar(&o.format, "format", o.format, "table or json")
	return cmd
}

func runCompare(o *compareOptions, args []string, w io.Writer) error {
	if len(args) == 2 {
		o.baseline, o.candidate = append(o.baseline, args[0]), append(o.candidate, args[1])
	} else if len(args) == 1 {
		return exitcode.With(exitcode.Error, fmt.Errorf("compare needs a baseline and a candidate, got only %s", args[0]))
	}
	if len(o.baseline) == 0 || len(o.candidate) == 0 {
		return exitcode.With(exitcode.Error, fmt.Errorf("compare needs BASELINE CANDIDATE, or --baseline and --candidate"))
	}
	if o.format != "table" && o.format != "json" {
		return exitcode.With(exitcode.Error, fmt.Errorf("--format %q: want table or json", o.format))
	}
	base, err := report.LoadAll(o.baseline)
	if err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	cand, err := report.LoadAll(o.candidate)
	if err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	c, err := report.Compare(base, cand, report.CompareOptions{Tolerance: float64(o.tolerance)})
	if err != nil {
		return exitcode.With(exitcode.Error, err)
	}
	if err := c.Write(w, o.format); err != nil {
		return err
	}
	if o.out != "" {
		if err := report.WriteHTML(o.out, report.BuildComparePage(base, cand, c)); err != nil {
			return err
		}
		if o.format == "table" {
			fmt.Fprintln(w, "compare page:", o.out)
		}
	}
	if c.Regressed() {
		return exitcode.Quiet(exitcode.Threshold, fmt.Errorf("%w: %s", report.ErrRegression, strings.Join(c.DecidedBy, "; ")))
	}
	return nil
}
