package report

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/perflab/perflab/measure"
)

// readJSONArray streams what readJSON reads whole: same documents, and the
// same errors (with the line) for anything that is not a plain array.
func TestReadJSONArrayMatchesReadJSON(t *testing.T) {
	tests := []struct{ name, body string }{
		{"documents", `[{"podName":"a","podReadyLatency":10,"timestamp":"2026-12-01T08:00:00Z","metadata":{"k":1}},` + "\n" + `{"podName":"b","nodeName":"n"}]`},
		{"empty", `[]`},
		{"null", `null`},
		{"object", `{"podName":"a"}`},
		{"truncated", "[{\"podName\":\"a\"},\n{\"podName\":"},
		{"type mismatch", "[{\"podName\":\"a\"},\n{\"podReadyLatency\":\"slow\"}]"},
		{"trailing", `[{"podName":"a"}] x`},
		{"empty file", ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "podLatencyMeasurement-j.json")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			var want []measure.PodLatency
			wantErr := readJSON(path, &want)
			got, err := readJSONArray[measure.PodLatency](path)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("error %v, want %v", err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}
