package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/browsertest"
)

// servePage serves m's page on 127.0.0.1 (no cluster: the model is given).
func servePage(tb testing.TB, m *Model) string {
	tb.Helper()
	s, err := New(Options{Addr: "127.0.0.1:0", Config: testConfig(), Interval: 50 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	s.model = m
	return serve(tb, s)
}

// serve serves s's page on 127.0.0.1 until the test ends.
func serve(tb testing.TB, s *Server) string {
	tb.Helper()
	srv := httptest.NewServer(s.handler())
	// The page's event stream stays open: cut it, then close.
	tb.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	return srv.URL + "/"
}

const countNodes = `document.querySelectorAll("[data-node]").length`

// TestPageAtScaleAggregates loads the view of 150,000 pods on 5,000 nodes in
// chromium: every node has its box, tiles stay within the view's budget and
// the rest are counted, and the browser logs no error.
func TestPageAtScaleAggregates(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := browsertest.New(t, ctx)
	tab.Navigate(t, servePage(t, bigModel(5000, 150000)))
	tab.WaitCount(t, "node boxes", countNodes, 5000, 2*time.Minute)
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll("[data-pod]").length`); n > 6000+500 {
		t.Errorf("%d tiles drawn, want at most the budget (6,000 on nodes + 500 unscheduled)", n)
	}
	more := browsertest.Eval[string](t, tab, `document.querySelector("[data-node] .more").textContent`)
	if !strings.HasPrefix(more, "+29 more: 30 ready") {
		t.Errorf("first node's count line %q, want +29 more of its 30 ready pods (1 tile per node)", more)
	}
	pending := browsertest.Eval[string](t, tab, `document.querySelector("#pending h3").textContent`)
	if !strings.HasPrefix(pending, "15000 × 0/5000 nodes are available") {
		t.Errorf("pending heading %q", pending)
	}
	tab.Screenshot(t, "ui-5000-nodes.png")
	if errs := tab.Problems(); len(errs) != 0 {
		t.Errorf("browser errors: %v", errs)
	}
}

// BenchmarkPageLoad is the browser's side at the scale: load the page
// and draw the first view of 150,000 pods on 5,000 nodes.
func BenchmarkPageLoad(b *testing.B) {
	tab := browsertest.New(b, context.Background())
	url := servePage(b, bigModel(5000, 150000))
	b.ResetTimer()
	for b.Loop() {
		tab.Navigate(b, url)
		tab.WaitCount(b, "node boxes", countNodes, 5000, 2*time.Minute)
	}
}

// BenchmarkPageUpdate is one pod change at that scale, from the model to the
// page's DOM: coalescing (50 ms interval here), view build, push, parse and
// redraw of the changed node.
func BenchmarkPageUpdate(b *testing.B) {
	m := bigModel(5000, 150000)
	tab := browsertest.New(b, context.Background())
	tab.Navigate(b, servePage(b, m))
	tab.WaitCount(b, "node boxes", countNodes, 5000, 2*time.Minute)
	// node-00001 shows one tile: the first of its pods by name.
	first := `document.querySelectorAll('[data-node="node-00001"] .s-notready').length`
	p := *m.byNode["node-00001"][firstKey(m, "node-00001")]
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := p // a new object per event, as informers deliver
		q.State = []State{StateNotReady, StateReady}[i%2]
		m.SetPod(&q)
		tab.WaitCount(b, "changed tile", first, 1-i%2, time.Minute)
	}
}

func firstKey(m *Model, node string) string {
	key := ""
	for k := range m.byNode[node] {
		if key == "" || k < key {
			key = k
		}
	}
	if key == "" {
		panic(fmt.Sprintf("no pod on %s", node))
	}
	return key
}
