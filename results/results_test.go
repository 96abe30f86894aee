package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
)

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func TestTableGolden(t *testing.T) {
	for _, tt := range []struct {
		file string
		tb   Table
	}{
		{"table.txt", Table{Title: "Job summary", Header: []string{"job", "objects", "errors", "elapsed", "qps", "P99 ready"}}},
		// cilium connectivity perf's layout: a leading blank, " | " between columns.
		{"table-plain.txt", Table{Title: "Latency tests", Header: []string{"job", "objects", "errors", "elapsed", "qps", "P99 ready"}, Indent: " ", Sep: " | ", Plain: true}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			tb := tt.tb
			tb.Add("create-deployments", 20, 0, "12s", "1.67", "1520ms")
			tb.Add("api-intensive-remove", 100, 2, "3s", "33.3", "-")
			tb.Add("short-row", 1)
			var b bytes.Buffer
			if err := tb.Render(&b); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.file, b.Bytes())
		})
	}
}

func TestWriteJSONAtomic(t *testing.T) {
	d, err := NewDir(filepath.Join(t.TempDir(), "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	in := []map[string]any{{"metricName": "jobSummary", "passed": true}}
	if err := d.WriteJSON("jobSummary.json", in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(d.Path, "jobSummary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil || out[0]["metricName"] != "jobSummary" {
		t.Fatalf("round trip: %v %v", out, err)
	}
	ents, _ := os.ReadDir(d.Path)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	if err := d.WriteJSON("x.json", func() {}); err == nil {
		t.Error("unencodable value must fail")
	}
}

// ptrMarshaler marshals itself only through a pointer, as json.Marshal
// reaches the elements of a slice.
type ptrMarshaler struct{ n int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]int{"n": p.n}) }

// WriteJSON streams slices element by element; the bytes must stay those of
// json.MarshalIndent.
func TestEncodeIndentedMatchesMarshalIndent(t *testing.T) {
	type doc struct {
		Timestamp time.Time `json:"timestamp"`
		Name      string    `json:"podName"`
		Metadata  any       `json:"metadata,omitempty"`
		Latency   int       `json:"podReadyLatency"`
	}
	at := time.Date(2026, 12, 1, 8, 0, 0, 123, time.UTC)
	tests := []struct {
		name string
		v    any
	}{
		{"documents", []doc{{at, "a<b>&", map[string]any{"k": []int{1, 2}}, 3}, {at, "c", nil, 0}}},
		{"one", []doc{{Name: "x"}}},
		{"empty", []doc{}},
		{"nil", []doc(nil)},
		{"bytes", []byte("abc")},
		{"maps", []map[string]any{{"metricName": "jobSummary", "passed": true}, {}}},
		{"nested", [][]int{{1, 2}, {}, nil}},
		{"object", doc{Name: "o"}},
		{"raw", []json.RawMessage{json.RawMessage(`{"a":1}`)}},
		{"pointer marshaler", []ptrMarshaler{{1}, {2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.MarshalIndent(tc.v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := encodeIndented(&got, tc.v); err != nil {
				t.Fatal(err)
			}
			if want = append(want, '\n'); !bytes.Equal(got.Bytes(), want) {
				t.Errorf("got\n%s\nwant\n%s", got.Bytes(), want)
			}
		})
	}
}
