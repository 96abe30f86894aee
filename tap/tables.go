package tap

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/perflab/perflab/results"
)

// sourceTitle names the sources in table titles.
func sourceTitle(source string) string {
	switch source {
	case SourceTap:
		return "calls through the tap"
	case SourceAudit:
		return "calls in the API server's audit log"
	}
	return "calls from " + source
}

// Write prints the full summary: per source, every call with its count,
// failures, 429s and p50/p99 latency, then the clients by request count.
func (s Summary) Write(w io.Writer) error {
	if s.Requests == 0 {
		_, err := fmt.Fprintln(w, "no requests recorded")
		return err
	}
	fmt.Fprintf(w, "%d requests from %s to %s (%s)\n\n", s.Requests, s.First.Format(time.RFC3339),
		s.Last.Format(time.RFC3339), s.Last.Sub(s.First).Round(time.Millisecond))
	for _, src := range s.sources() {
		t := callTable(sourceTitle(src)+" (latency to the last byte; for watch, until the server answered)", true)
		for _, c := range s.Calls {
			if c.Source == src {
				addCall(t, c, true)
			}
		}
		if err := render(w, t); err != nil {
			return err
		}
	}
	t := &results.Table{Title: "clients", Header: []string{"CLIENT", "REQUESTS"}}
	for _, a := range s.Agents {
		t.Add(a.Agent, a.Count)
	}
	return render(w, t)
}

// WriteLive prints the live view: the top calls by count and by total
// latency, and the calls that failed, at most top rows each.
func (s Summary) WriteLive(w io.Writer, top int) error {
	fmt.Fprintf(w, "%s  %d requests\n\n", time.Now().Format(time.TimeOnly), s.Requests)
	byCount := callTable(fmt.Sprintf("top %d calls by count", top), false)
	for _, c := range head(s.Calls, top) {
		addCall(byCount, c, false)
	}
	byTime := append([]CallSummary(nil), s.Calls...)
	sort.SliceStable(byTime, func(i, j int) bool { return byTime[i].Total > byTime[j].Total })
	byTotal := callTable(fmt.Sprintf("top %d calls by total latency", top), false)
	for _, c := range head(byTime, top) {
		addCall(byTotal, c, false)
	}
	failed := &results.Table{Title: "errors and 429s", Header: []string{"VERB", "CALL", "FAILED", "429", "STATUS CODES"}}
	n := 0
	for _, c := range s.Calls {
		if c.Failed > 0 && n < top {
			failed.Add(c.Verb, c.Call, c.Failed, c.Throttled, codes(c.Codes))
			n++
		}
	}
	if n == 0 {
		failed.Add("none", "", "", "", "")
	}
	for _, t := range []*results.Table{byCount, byTotal, failed} {
		if err := render(w, t); err != nil {
			return err
		}
	}
	return nil
}

func callTable(title string, quantiles bool) *results.Table {
	h := []string{"VERB", "CALL", "COUNT", "FAILED", "429", "TOTAL"}
	if quantiles {
		h = append(h, "P50", "P99", "WATCH EVENTS")
	}
	return &results.Table{Title: title, Header: h}
}

func addCall(t *results.Table, c CallSummary, quantiles bool) {
	row := []any{c.Verb, c.Call, c.Count, c.Failed, c.Throttled, fmtDuration(c.Total)}
	if quantiles {
		ev := ""
		if c.Verb == "watch" && c.Source != SourceAudit { // the audit log does not count events
			ev = fmt.Sprint(c.WatchEvents)
		}
		row = append(row, fmtDuration(c.P50), fmtDuration(c.P99), ev)
	}
	t.Add(row...)
}

func render(w io.Writer, t *results.Table) error {
	if err := t.Render(w); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func (s Summary) sources() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range s.Calls {
		if !seen[c.Source] {
			seen[c.Source] = true
			out = append(out, c.Source)
		}
	}
	sort.Strings(out)
	return out
}

func head(c []CallSummary, n int) []CallSummary { return c[:min(n, len(c))] }

// codes prints status codes with counts, e.g. "404×3 409×1".
func codes(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		if k >= 400 || k == 0 {
			parts = append(parts, fmt.Sprintf("%d×%d", k, m[k]))
		}
	}
	return strings.Join(parts, " ")
}

// fmtDuration rounds to three significant figures or so.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	case d < time.Minute:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
