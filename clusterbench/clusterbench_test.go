package clusterbench

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
	"github.com/perflab/perflab/measure"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		nodes, pods string
		want        []Size
		err         string
	}{
		{"10", "1000", []Size{{10, 1000}}, ""},
		{"10,100", "100,1000", []Size{{10, 100}, {100, 1000}}, ""},
		{"100", "1000, 10000", []Size{{100, 1000}, {100, 10000}}, ""},
		{"10,100,1000", "5000", []Size{{10, 5000}, {100, 5000}, {1000, 5000}}, ""},
		{"10,100", "1,2,3", nil, "lists of 2 and 3 values"},
		{"10,x", "1", nil, `--nodes "10,x": value 2 ("x") is not a positive integer`},
		{"10", "0", nil, `--pods "0": value 1`},
		{"", "1", nil, "--nodes"},
	} {
		got, err := ParseSizes(tc.nodes, tc.pods)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSizes(%q, %q) error %v, want %q", tc.nodes, tc.pods, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSizes(%q, %q) = %v, %v; want %v", tc.nodes, tc.pods, got, err, tc.want)
		}
	}
}

func TestAPICallsOfJudgesSLO(t *testing.T) {
	lat := func(p99 time.Duration) measure.LatencyMetric {
		return measure.LatencyMetric{P50: p99 / 4, P90: p99 / 2, P99: p99, Count: 10}
	}
	calls := APICallsOf([]measure.APICall{
		{Verb: "POST", Resource: "pods", Scope: "resource", Count: 10, Latency: lat(1500 * time.Millisecond)},
		{Verb: "GET", Resource: "pods", Scope: "resource", Count: 10, Latency: lat(900 * time.Millisecond)},
		{Verb: "LIST", Resource: "pods", Scope: "cluster", Count: 10, Latency: lat(5 * time.Second)},
	})
	for i, want := range []struct {
		slo  time.Duration
		pass bool
	}{{time.Second, false}, {time.Second, true}, {30 * time.Second, true}} {
		if calls[i].SLO != want.slo || calls[i].Pass != want.pass {
			t.Errorf("%s: SLO %s pass %v, want %s %v", calls[i].Name(), calls[i].SLO, calls[i].Pass, want.slo, want.pass)
		}
	}
	r := Result{APICalls: calls}
	if n := r.SLOViolations(); n != 1 {
		t.Errorf("SLOViolations = %d, want 1", n)
	}
	if d, name := r.WorstSingleObjectP99(); d != 1500*time.Millisecond || name != "POST pods (resource)" {
		t.Errorf("worst = %s %s", d, name)
	}
}

func TestCheckFindsInconsistencies(t *testing.T) {
	f, err := ReadFile("testdata/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Results {
		if bad := r.Check(); len(bad) > 0 {
			t.Errorf("%s (a real run): %v", r.Size(), bad)
		}
	}
	r := f.Results[0]
	r.PodsPerSecond *= 2
	r.PeakRSSBytes = r.IdleRSSBytes - 1
	r.SchedulingPerSec = 0
	bad := strings.Join(r.Check(), "\n")
	for _, want := range []string{"pods/s", "peak RSS", "scheduling pods/s is 0"} {
		if !strings.Contains(bad, want) {
			t.Errorf("Check missed %q:\n%s", want, bad)
		}
	}
}

func TestTablesGolden(t *testing.T) {
	f, err := ReadFile("testdata/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTables(&b, f.Results); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/bench.txt", b.Bytes())
}
