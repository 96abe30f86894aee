package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/perflab/perflab/results"
)

// Table is the comparison as a text table, with the figures that decided
// the verdict below it.
func (c *Comparison) Table() *results.Table {
	t := &results.Table{
		Title: fmt.Sprintf("perflab compare (%s): baseline %s, candidate %s, tolerance %g%%",
			c.Kind, strings.Join(c.Baseline, ","), strings.Join(c.Candidate, ","), 100*c.Tolerance),
		Header: []string{"figure", "baseline", "candidate", "change", "judged by", "p / CI95", "verdict"},
	}
	for _, f := range c.Figures {
		t.Add(f.Name, num(f.Baseline, f.Unit), num(f.Candidate, f.Unit), changeText(f), f.Method, evidence(f), f.Verdict)
	}
	return t
}

func num(v float64, unit string) string {
	s := fmt.Sprintf("%.4g", v)
	if unit != "" {
		s += " " + unit
	}
	return s
}

// changeText is the change in percent, or "from 0" when there is no
// baseline to relate it to.
func changeText(f Figure) string {
	if f.Baseline == 0 && f.Candidate != 0 {
		return "from 0"
	}
	return fmt.Sprintf("%+.1f%%", f.ChangePct)
}

func evidence(f Figure) string {
	switch {
	case f.P != nil:
		return fmt.Sprintf("p=%.3g", *f.P)
	case f.CI != nil:
		return fmt.Sprintf("[%.4g, %.4g]", f.CI[0], f.CI[1])
	}
	return "-"
}

// Verdict is the line under the table.
func (c *Comparison) Verdict() string {
	if !c.Regressed() {
		return fmt.Sprintf("no significant regression beyond %g%% (%d figures compared)", 100*c.Tolerance, len(c.Figures))
	}
	return fmt.Sprintf("%d significant regression(s) beyond %g%%, decided by: %s", len(c.DecidedBy), 100*c.Tolerance, strings.Join(c.DecidedBy, "; "))
}

// Write prints the comparison as "table" or "json".
func (c *Comparison) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	case "table", "":
		if err := c.Table().Render(w); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, c.Verdict())
		return err
	}
	return fmt.Errorf("--format %q: want table or json", format)
}
