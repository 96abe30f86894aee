package results

import (
	"strings"
	"testing"
	"time"
)

func TestWriteJUnit(t *testing.T) {
	var b strings.Builder
	err := WriteJUnit(&b, JUnitSuite{Name: "S", Duration: 1500 * time.Millisecond, Cases: []JUnitCase{
		{Name: "ok", ClassName: "S", Duration: time.Second, Output: "fine"},
		{Name: "bad", ClassName: "S", Failure: "a < b", FailureMessage: "failed"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`<testsuite name="S" tests="2" failures="1" time="1.500">`,
		`<testcase name="ok" classname="S" time="1.000">`, `<system-out>fine</system-out>`,
		`<failure message="failed">a &lt; b</failure>`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestPerfdashFileName(t *testing.T) {
	at := time.Date(2026, 11, 21, 7, 8, 9, 0, time.FixedZone("x", 3600))
	if got, want := PerfdashFileName("PodStartupLatency_P", "load", at, "json"), "PodStartupLatency_P_load_2026-11-21T06:08:09Z.json"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
