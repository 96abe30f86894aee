package results

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// JUnitSuite is one junit <testsuite>, as CI systems read it.
type JUnitSuite struct {
	Name     string
	Duration time.Duration
	Cases    []JUnitCase
}

// JUnitCase is one <testcase>; a non-empty Failure marks it failed.
type JUnitCase struct {
	Name, ClassName string
	Duration        time.Duration
	Failure         string // failure text; "" passes
	FailureMessage  string // short failure message attribute
	Output          string // <system-out>
}

type junitSuiteXML struct {
	XMLName  xml.Name       `xml:"testsuite"`
	Name     string         `xml:"name,attr"`
	Tests    int            `xml:"tests,attr"`
	Failures int            `xml:"failures,attr"`
	Time     string         `xml:"time,attr"`
	Cases    []junitCaseXML `xml:"testcase"`
}

type junitCaseXML struct {
	Name      string           `xml:"name,attr"`
	ClassName string           `xml:"classname,attr"`
	Time      string           `xml:"time,attr"`
	Failure   *junitFailureXML `xml:"failure,omitempty"`
	SystemOut string           `xml:"system-out,omitempty"`
}

type junitFailureXML struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func junitSeconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes s as an indented junit XML document.
func WriteJUnit(w io.Writer, s JUnitSuite) error {
	x := junitSuiteXML{Name: s.Name, Time: junitSeconds(s.Duration)}
	for _, c := range s.Cases {
		xc := junitCaseXML{Name: c.Name, ClassName: c.ClassName, Time: junitSeconds(c.Duration), SystemOut: c.Output}
		if c.Failure != "" {
			xc.Failure = &junitFailureXML{Message: c.FailureMessage, Text: c.Failure}
			x.Failures++
		}
		x.Tests++
		x.Cases = append(x.Cases, xc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(x); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
