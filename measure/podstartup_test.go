package measure

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
)

var t0 = time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)

func samplePods() []PodTimes {
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	return []PodTimes{
		{Namespace: "ns-1", Name: "a", Created: at(0), Scheduled: at(0), Running: at(1000), WatchedReady: at(1200)},
		{Namespace: "ns-1", Name: "b", Created: at(0), Scheduled: at(1000), Running: at(2000), WatchedReady: at(2500)},
		{Namespace: "ns-1", Name: "c", Created: at(1000), Scheduled: at(1000), Running: at(1000), WatchedReady: at(1300)},
		{Namespace: "ns-1", Name: "pending", Created: at(0)},
	}
}

func checkGoldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "golden", name), b)
}

func TestPodStartupLatencyGolden(t *testing.T) {
	m := &podStartupLatency{t50: 5 * time.Second, t90: 5 * time.Second, t99: 2 * time.Second}
	out, err := m.gather("PodStartupLatency", samplePods(), map[string]bool{"ns-1/b": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != 3 {
		t.Fatalf("want all, Stateless and Stateful summaries, got %d", len(out.Files))
	}
	checkGoldenJSON(t, "podstartuplatency.json", out.Files[0].Data)
	checkGoldenJSON(t, "stateful-podstartuplatency.json", out.Files[2].Data)
	// pod_startup over a, b, c = 1.2s, 2.5s, 0.3s: p99 2.5s > 2s fails; the
	// stateless group (a, c) has p99 1.2s and passes.
	want := map[string]bool{"PodStartupLatency PodStartupLatency": false, "StatelessPodStartupLatency PodStartupLatency": true, "StatefulPodStartupLatency PodStartupLatency": false}
	for _, c := range out.Checks {
		if pass, ok := want[c.Name]; !ok || pass != c.Pass || !c.Enforced {
			t.Errorf("check %+v: want pass=%v enforced", c, pass)
		}
	}
	if len(Failed(out.Checks)) != 2 {
		t.Errorf("Failed() = %v, want the two over threshold", Failed(out.Checks))
	}
}
