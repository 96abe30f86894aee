package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLocalIndexerAppends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	l := LocalIndexer{Dir: dir}
	doc := func(v float64) any {
		return Document{Timestamp: time.Unix(0, 0).UTC(), Value: v, UUID: "u", Query: "up", MetricName: "up", JobName: "j"}
	}
	file, err := l.Index("up", []any{doc(1), doc(2)})
	if err != nil {
		t.Fatal(err)
	}
	if file != filepath.Join(dir, "up.json") {
		t.Fatalf("file = %s", file)
	}
	if _, err := l.Index("up", []any{doc(3)}); err != nil {
		t.Fatal(err)
	}
	docs := readDocs(t, file)
	if len(docs) != 3 || docs[2]["value"].(float64) != 3 {
		t.Fatalf("docs = %v, want three, appended in order", docs)
	}
	if _, hasLabels := docs[0]["labels"]; hasLabels {
		t.Errorf("empty labels written: %v (kube-burner omits them)", docs[0])
	}
	st, _ := os.Stat(file)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}

	for _, tt := range []struct {
		name string
		fn   func() error
		want string
	}{
		{"empty name", func() error { _, err := l.Index("", []any{doc(1)}); return err }, "empty metricName"},
		{"no docs", func() error { _, err := l.Index("x", nil); return err }, "no documents"},
		{"corrupt file", func() error {
			if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o644); err != nil {
				return err
			}
			_, err := l.Index("bad", []any{doc(1)})
			return err
		}, "bad.json is not a JSON array"},
	} {
		if err := tt.fn(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
