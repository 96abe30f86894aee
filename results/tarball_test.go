package results

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestTarball(t *testing.T) {
	dir := t.TempDir()
	d, err := NewDir(filepath.Join(dir, "metrics"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("a.json", []byte("[1]")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "metrics", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metrics", "sub", "b.json"), []byte("[2]"), 0o644); err != nil {
		t.Fatal(err)
	}
	tgz := filepath.Join(dir, "m.tgz")
	if err := Tarball(filepath.Join(dir, "metrics"), tgz); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(tgz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[h.Name] = string(b)
	}
	if len(got) != 2 || got["a.json"] != "[1]" || got["sub/b.json"] != "[2]" {
		t.Errorf("tarball holds %v", got)
	}
}
