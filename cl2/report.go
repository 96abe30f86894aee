package cl2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/perflab/perflab/results"
)

// StepResult is one step (or one measurement call of a step) as reported in
// junit, like CL2's step and substep entries.
type StepResult struct {
	Name     string
	Duration time.Duration
	Err      error
}

// Report is everything one run produced.
type Report struct {
	Name       string
	ConfigPath string
	Start      time.Time
	Duration   time.Duration
	Steps      []StepResult
	Summaries  []Summary
	Checks     []Check
	// Err is a failure of the run outside its steps (namespace setup,
	// interruption); the report is then failed.
	Err error
	// Files are the paths written by Write.
	Files []string
}

// Failed reports whether a step failed or an enforced SLO was violated.
func (r *Report) Failed() bool {
	if r.Err != nil {
		return true
	}
	for _, s := range r.Steps {
		if s.Err != nil {
			return true
		}
	}
	return r.violations() != nil
}

func (r *Report) violations() error { return violations(r.Checks) }

// FileName is CL2's report file name: <summary>_<config name>_<RFC3339>.<ext>.
func FileName(s Summary, configName string) string {
	return results.PerfdashFileName(s.Name, configName, s.Time, s.Ext)
}

// Write stores the perfdash files and junit.xml in dir (atomically, through
// the shared results writer).
func (r *Report) Write(dir string) error {
	d, err := results.NewDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	write := func(name string, b []byte) {
		if err := d.WriteFile(name, b); err != nil {
			errs = append(errs, err)
			return
		}
		r.Files = append(r.Files, filepath.Join(dir, name))
	}
	for _, s := range r.Summaries {
		write(FileName(s, r.Name), append(s.Content, '\n'))
	}
	var junit bytes.Buffer
	if err := r.WriteJUnit(&junit); err != nil {
		errs = append(errs, err)
	} else {
		write("junit.xml", junit.Bytes())
	}
	return errors.Join(errs...)
}

// WriteJUnit writes the run as a junit testsuite "ClusterLoaderV2": the
// overall test, then one case per step and per SLO check.
func (r *Report) WriteJUnit(w io.Writer) error {
	const class = "ClusterLoaderV2"
	s := results.JUnitSuite{Name: class, Duration: r.Duration}
	overall := results.JUnitCase{Name: fmt.Sprintf("%s overall (%s)", r.Name, r.ConfigPath), ClassName: class, Duration: r.Duration}
	var msgs []string
	if r.Err != nil {
		msgs = append(msgs, r.Err.Error())
	}
	for _, st := range r.Steps {
		if st.Err != nil {
			msgs = append(msgs, st.Err.Error())
		}
	}
	if v := r.violations(); v != nil {
		msgs = append(msgs, v.Error())
	}
	if len(msgs) > 0 {
		overall.Failure, overall.FailureMessage = strings.Join(msgs, "\n"), "test failed"
	}
	s.Cases = append(s.Cases, overall)
	for _, st := range r.Steps {
		c := results.JUnitCase{Name: r.Name + ": " + st.Name, ClassName: class, Duration: st.Duration}
		if st.Err != nil {
			c.Failure, c.FailureMessage = st.Err.Error(), "step failed"
		}
		s.Cases = append(s.Cases, c)
	}
	for _, chk := range r.Checks {
		c := results.JUnitCase{Name: r.Name + ": SLO " + chk.Name, ClassName: class, Output: chk.Detail}
		if !chk.Pass && chk.Enforced {
			c.Failure, c.FailureMessage = chk.Detail, "SLO violated"
		}
		s.Cases = append(s.Cases, c)
	}
	return results.WriteJUnit(w, s)
}

// maxStepLines keeps the summary on one screen.
const maxStepLines = 12

// PrintSummary writes the one-screen PASS/FAIL summary.
func (r *Report) PrintSummary(w io.Writer) {
	verdict := "PASS"
	if r.Failed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "ClusterLoader2 test %s (%s): %s in %v\n", r.Name, r.ConfigPath, verdict, r.Duration.Round(time.Millisecond))
	failed := 0
	for _, s := range r.Steps {
		if s.Err != nil {
			failed++
		}
	}
	fmt.Fprintf(w, "steps: %d, failed: %d\n", len(r.Steps), failed)
	if r.Err != nil {
		fmt.Fprintf(w, "  FAIL %s\n", firstLine(r.Err.Error()))
	}
	shown := 0
	for _, s := range r.Steps {
		if len(r.Steps) > maxStepLines && s.Err == nil {
			continue
		}
		if shown++; shown > maxStepLines {
			fmt.Fprintf(w, "  ... %d more failed steps in junit.xml\n", failed-maxStepLines)
			break
		}
		mark, detail := "ok  ", ""
		if s.Err != nil {
			mark, detail = "FAIL", ": "+firstLine(s.Err.Error())
		}
		fmt.Fprintf(w, "  %s %8v  %s%s\n", mark, s.Duration.Round(time.Millisecond), s.Name, detail)
	}
	if len(r.Checks) > 0 {
		fmt.Fprintln(w, "SLOs:")
	}
	for _, c := range r.Checks {
		mark := "PASS"
		switch {
		case !c.Pass && c.Enforced:
			mark = "FAIL"
		case !c.Pass:
			mark = "WARN" // CL2 only logs it (enableViolations: false)
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark, c.Name, c.Detail)
	}
	if len(r.Files) > 0 {
		fmt.Fprintf(w, "report: %d files in %s\n", len(r.Files), filepath.Dir(r.Files[0]))
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
