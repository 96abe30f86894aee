package integration

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/perflab/perflab/tap"
)

// running is a tap session in front of the test cluster for one test.
type running struct {
	*tap.Session
	kubeconfig string
	calls      string
}

// startTap starts a session writing calls.jsonl and a kubeconfig into a
// temp dir; it closes when the test ends.
func startTap(t testing.TB) *running {
	t.Helper()
	dir := t.TempDir()
	r := &running{kubeconfig: filepath.Join(dir, "tap.kubeconfig"), calls: filepath.Join(dir, "calls.jsonl")}
	s, err := tap.StartSession(context.Background(), tap.SessionOptions{Target: testCluster.RESTConfig(), Output: r.calls, Kubeconfig: r.kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	r.Session = s
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// stop closes the session and returns its records, read back from the file.
func (r *running) stop(t testing.TB) []tap.Record {
	t.Helper()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return readRecords(t, r.calls)
}

func readRecords(t testing.TB, path string) []tap.Record {
	t.Helper()
	var out []tap.Record
	if err := tap.ReadFile(path, func(r tap.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}
