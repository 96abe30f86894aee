package tap

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRecorderKeepsEveryRecord records from 1,000 goroutines at once, more
// than the buffer holds, and finds every record in the output.
func TestRecorderKeepsEveryRecord(t *testing.T) {
	const n = 1000 + recorderBuffer
	var out bytes.Buffer
	stats := NewStats()
	r := NewRecorder(&out, stats.Add)
	var wg sync.WaitGroup
	for g := 0; g < 1000; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < n; i += 1000 {
				r.Record(Record{Start: time.Unix(0, 0), Source: SourceTap, Verb: "get", Resource: "pods", Name: fmt.Sprint(i), Status: 200})
			}
		}(g)
	}
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err := Read("out", &out, func(rec Record) error { seen[rec.Name] = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || r.Written() != n {
		t.Errorf("%d distinct records read, %d written; want %d", len(seen), r.Written(), n)
	}
	if got := stats.Summary(false).Requests; got != n {
		t.Errorf("stats counted %d, want %d", got, n)
	}
	r.Record(Record{Verb: "get"}) // after Close: dropped, not a panic
}

func TestReadErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not json", "{\"verb\":\"get\",\"start\":\"2026-01-01T00:00:00Z\"}\nnope\n", "f.jsonl:2: not JSON"},
		{"not a record", "\n{\"foo\":1}\n", "f.jsonl:2: neither a tap record"},
		{"audit v1beta1", `{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1"}`, `f.jsonl:1: audit event apiVersion "audit.k8s.io/v1beta1"`},
		{"bad field type", `{"verb":"get","start":"2026-01-01T00:00:00Z","status":"ok"}`, "f.jsonl:1: tap record: json: cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Read("f.jsonl", strings.NewReader(tt.in), func(Record) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestListenLoopbackRefuses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "10.0.0.1:8001", "example.com:1", "8001", "[::]:0"} {
		if ln, err := listenLoopback(addr); err == nil {
			ln.Close()
			t.Errorf("%s: listened; want an error", addr)
		} else if !strings.Contains(err.Error(), "--listen") {
			t.Errorf("%s: error %q does not name --listen", addr, err)
		}
	}
}
