package cilium

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// A Sample is one metric value read from `cilium metrics list` or from
// Prometheus exposition.
type Sample struct {
	Name   string
	Labels map[string]string
	// Value is NaN for values that are not one number (histogram summaries
	// such as "2.5ms / 4.5ms / 4.95ms" in `cilium metrics list`).
	Value float64
	Text  string // the value as printed
	Line  int    // 1-based line in the input, 0 if unknown
}

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	// A label starts at the beginning or after a space: name=...
	labelStart = regexp.MustCompile(`(?:^|\s)([a-zA-Z_][a-zA-Z0-9_]*)=`)
)

// ParseMetrics reads either the table of `cilium metrics list` (also with
// the "# " prefix blog posts put in front of output) or Prometheus text
// exposition; source names the input in errors.
func ParseMetrics(r io.Reader, source string) ([]Sample, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if isExposition(raw) {
		return parseExposition(raw, source)
	}
	return parseMetricsList(raw, source)
}

func isExposition(raw []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "# HELP ") || strings.HasPrefix(l, "# TYPE ") {
			return true
		}
		if l != "" && !strings.HasPrefix(l, "#") {
			name, _, _ := strings.Cut(l, " ")
			return strings.Contains(name, "{")
		}
	}
	return false
}

func parseMetricsList(raw []byte, source string) ([]Sample, error) {
	var out []Sample
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			// "# cilium_..." as pasted in blog posts; other comments skipped.
			rest := strings.TrimSpace(strings.TrimPrefix(trimmed, "#"))
			if !strings.HasPrefix(rest, "cilium_") {
				continue
			}
			trimmed = rest
		}
		if trimmed == "" {
			continue
		}
		fields := splitColumns(trimmed)
		if fields[0] == "Metric" || strings.HasPrefix(trimmed, "Metric ") {
			continue // header
		}
		if len(fields) < 2 {
			// Collapsed spacing: name first, value last.
			fields = strings.Fields(trimmed)
			if len(fields) < 2 {
				return nil, fmt.Errorf("%s:%d: want \"metric [labels] value\", got %q", source, n, trimmed)
			}
			fields = []string{fields[0], strings.Join(fields[1:len(fields)-1], " "), fields[len(fields)-1]}
		}
		name := fields[0]
		if !metricName.MatchString(name) {
			return nil, fmt.Errorf("%s:%d: %q is not a metric name", source, n, name)
		}
		labels, valueText := "", ""
		switch {
		case len(fields) == 2:
			valueText = fields[1]
		case strings.Contains(fields[1], "="):
			labels, valueText = fields[1], strings.Join(fields[2:], " ")
		default:
			valueText = strings.Join(fields[1:], " ")
		}
		s := Sample{Name: name, Labels: parseLabels(labels), Text: valueText, Line: n, Value: math.NaN()}
		if v, err := strconv.ParseFloat(valueText, 64); err == nil {
			s.Value = v
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", source, n+1, err)
	}
	return out, nil
}

// parseLabels splits "a=x b=y z" into a=x, b="y z": a value runs until the
// next " name=".
func parseLabels(s string) map[string]string {
	m := map[string]string{}
	s = strings.TrimSpace(s)
	if s == "" {
		return m
	}
	idx := labelStart.FindAllStringSubmatchIndex(s, -1)
	for i, loc := range idx {
		name := s[loc[2]:loc[3]]
		end := len(s)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		m[name] = strings.TrimSpace(s[loc[1]:end])
	}
	return m
}

func parseExposition(raw []byte, source string) (_ []Sample, err error) {
	// expfmt v0.67.5 dereferences a nil metric family on a line that opens
	// with "{" (a label set without a metric name; found by FuzzParseMetrics):
	// report that line instead of crashing.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s:%d: malformed exposition (a label set without a metric name?)", source, firstBraceLine(raw))
		}
	}()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		if pe, ok := err.(expfmt.ParseError); ok {
			return nil, fmt.Errorf("%s:%d: %s", source, pe.Line, pe.Msg)
		}
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Sample
	for _, name := range names {
		f := fams[name]
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			v := math.NaN()
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				v = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				v = m.GetGauge().GetValue()
			case dto.MetricType_UNTYPED:
				v = m.GetUntyped().GetValue()
			}
			out = append(out, Sample{Name: name, Labels: labels, Value: v, Text: strconv.FormatFloat(v, 'f', -1, 64)})
		}
	}
	return out, nil
}

// splitColumns splits a table line at runs of two or more blanks (the
// tabwriter pads columns with at least three; single blanks occur inside
// label values and histogram summaries).
func splitColumns(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		if s[i] != ' ' && s[i] != '\t' {
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j-i >= 2 || s[i] == '\t' {
			out = append(out, s[start:i])
			start = j
		}
		i = j
	}
	return append(out, s[start:])
}

// firstBraceLine is the 1-based number of the first line that starts with
// "{", or 0.
func firstBraceLine(raw []byte) int {
	for i, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "{") {
			return i + 1
		}
	}
	return 0
}
