package measure

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// fakeProm answers queries by substring (pure-logic test of promAPICalls).
type fakeProm struct {
	queries []string
}

func (f *fakeProm) Query(_ context.Context, q string, _ time.Time) (model.Value, error) {
	f.queries = append(f.queries, q)
	s := func(verb, scope string, v float64) *model.Sample {
		return &model.Sample{Metric: model.Metric{"resource": "configmaps", "verb": model.LabelValue(verb), "scope": model.LabelValue(scope)}, Value: model.SampleValue(v)}
	}
	if strings.Contains(q, watchListMetric) {
		v := 3.0 // calls, or seconds at every quantile
		if strings.HasPrefix(q, "histogram_quantile") {
			v = 0.3
		}
		return model.Vector{{Metric: model.Metric{"resource": "pods", "scope": "cluster", "group": "", "version": "v1"}, Value: model.SampleValue(v)}}, nil
	}
	switch {
	case q == "min(timestamp(up))":
		return model.Vector{{Value: model.SampleValue(float64(time.Now().Unix() + 1))}}, nil
	case strings.HasPrefix(q, "histogram_quantile(0.99"):
		return model.Vector{s("POST", "resource", 0.2), s("LIST", "namespace", 1.5)}, nil
	case strings.HasPrefix(q, "histogram_quantile"):
		return model.Vector{s("POST", "resource", 0.01), s("LIST", "namespace", 0.5)}, nil
	case strings.Contains(q, "_count"):
		return model.Vector{s("POST", "resource", 100), s("LIST", "namespace", 10)}, nil
	case strings.Contains(q, `le="1"`):
		return model.Vector{s("POST", "resource", 98)}, nil
	case strings.Contains(q, `le="5"`):
		return model.Vector{s("LIST", "namespace", 10)}, nil
	}
	return model.Vector{}, nil
}

func TestPromAPICalls(t *testing.T) {
	f := &fakeProm{}
	calls, err := promAPICalls(context.Background(), f, 90*time.Second, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || calls[0].Verb != "LIST" || calls[0].Latency.P99 != 1500*time.Millisecond {
		t.Fatalf("calls %+v: want LIST (p99 1.5s) first, then WATCHLIST and POST", calls)
	}
	if wl := calls[1]; wl.Verb != "WATCHLIST" || wl.Resource != "pods" || wl.Scope != "cluster" || wl.Count != 3 || wl.Latency.P99 != 300*time.Millisecond {
		t.Errorf("WATCHLIST %+v: want pods (cluster), 3 calls, p99 300ms", wl)
	}
	if post := calls[2]; post.Count != 100 || post.SlowCount != 2 || post.Latency.P50 != 10*time.Millisecond {
		t.Errorf("POST %+v: want count 100, slow 2, p50 10ms", post)
	}
	// The window grows by the time spent waiting for a scrape, rounded up
	// to a second: 90s, or 91s when the wait took any time at all.
	window := regexp.MustCompile(`\[(\d+)s\]`)
	for _, q := range f.queries[1:] {
		m := window.FindStringSubmatch(q)
		if m == nil || (m[1] != "90" && m[1] != "91") || !strings.Contains(q, sliMetric) && !strings.Contains(q, watchListMetric) {
			t.Errorf("query %q: want the SLI or watch-list metric over the 90s window (91s after a wait)", q)
		}
	}
}
