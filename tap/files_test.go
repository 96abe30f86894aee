package tap

import (
	"bytes"
	"testing"

	"github.com/perflab/perflab/internal/golden"
)

// testdata/calls.jsonl is the start of a tap's output and testdata/audit.log
// a selection of the embedded API server's audit log (perflab cluster up
// --audit): watches with both stages, failures, and one request of each
// user and verb.

func TestSummaryGolden(t *testing.T) {
	st, err := SummarizeFiles("testdata/calls.jsonl", "testdata/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := st.Summary(true).Write(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/summary.golden", b.Bytes())

	b.Reset()
	if err := st.Summary(false).WriteLive(&b, 5); err != nil {
		t.Fatal(err)
	}
	live := b.Bytes()[bytes.IndexByte(b.Bytes(), '\n'):] // the first line is the clock
	golden.Check(t, "testdata/live.golden", live)
}

func TestAuditConversion(t *testing.T) {
	var recs []Record
	if err := ReadFile("testdata/audit.log", func(r Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	var watches, failed, users int
	seen := map[string]bool{}
	for _, r := range recs {
		if r.Source != SourceAudit || r.Verb == "" || r.Start.IsZero() || r.LastByte <= 0 {
			t.Errorf("record %+v: want source audit, a verb, a start and a latency", r)
		}
		if r.Resource == "" && r.Path == "" || r.Path != "" && bytes.ContainsRune([]byte(r.Path), '?') {
			t.Errorf("record %+v: want a resource or a path without query", r)
		}
		if r.Verb == "watch" {
			watches++
			if r.FirstByte <= 0 || r.FirstByte > r.LastByte {
				t.Errorf("watch %+v: first byte from ResponseStarted missing or after the end", r)
			}
		}
		if r.Failed() {
			failed++
		}
		if !seen[r.User] {
			seen[r.User] = true
			users++
		}
	}
	// 29 lines: 4 watches log two stages each, so 25 requests.
	if len(recs) != 25 || watches != 4 || failed != 6 || !seen["system:kube-scheduler"] {
		t.Errorf("%d records, %d watches, %d failed, users %v; want 25, 4, 6 and the scheduler among them", len(recs), watches, failed, seen)
	}
}
