package cl2

import (
	"bytes"
	"encoding/xml"
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
	// Files are the paths written by Write.
	Files []string
}

// Failed reports whether a step failed or an enforced SLO was violated.
func (r *Report) Failed() bool {
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
	return strings.Join([]string{s.Name, configName, s.Time.UTC().Format(time.RFC3339)}, "_") + "." + s.Ext
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

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the run as a junit testsuite "ClusterLoaderV2": the
// overall test, then one case per step and per SLO check.
func (r *Report) WriteJUnit(w io.Writer) error {
	const class = "ClusterLoaderV2"
	s := junitSuite{Name: class, Time: secs(r.Duration)}
	add := func(c junitCase) {
		s.Cases = append(s.Cases, c)
		s.Tests++
		if c.Failure != nil {
			s.Failures++
		}
	}
	overall := junitCase{Name: fmt.Sprintf("%s overall (%s)", r.Name, r.ConfigPath), ClassName: class, Time: secs(r.Duration)}
	var msgs []string
	for _, st := range r.Steps {
		if st.Err != nil {
			msgs = append(msgs, st.Err.Error())
		}
	}
	if v := r.violations(); v != nil {
		msgs = append(msgs, v.Error())
	}
	if len(msgs) > 0 {
		overall.Failure = &junitFailure{Message: "test failed", Text: strings.Join(msgs, "\n")}
	}
	add(overall)
	for _, st := range r.Steps {
		c := junitCase{Name: r.Name + ": " + st.Name, ClassName: class, Time: secs(st.Duration)}
		if st.Err != nil {
			c.Failure = &junitFailure{Message: "step failed", Text: st.Err.Error()}
		}
		add(c)
	}
	for _, chk := range r.Checks {
		c := junitCase{Name: r.Name + ": SLO " + chk.Name, ClassName: class, Time: "0.000", SystemOut: chk.Detail}
		if !chk.Pass && chk.Enforced {
			c.Failure = &junitFailure{Message: "SLO violated", Text: chk.Detail}
		}
		add(c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
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
