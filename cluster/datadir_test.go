package cluster

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A data directory left with loose modes is made private before any
// credential is written into it.
func TestLooseDataDirTightened(t *testing.T) {
	dir := t.TempDir()
	files := map[string]os.FileMode{
		"":                 0o755,
		"pki":              0o755,
		"pki/old.key":      0o644,
		"admin.kubeconfig": 0o644,
		"notes.txt":        0o644, // not a credential: left alone
	}
	// Sorted, so a directory is made before the files in it.
	for _, name := range slices.Sorted(maps.Keys(files)) {
		mode := files[name]
		p := filepath.Join(dir, name)
		switch {
		case name == "" || name == "pki":
			if err := os.MkdirAll(p, 0o700); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	c := &Cluster{opts: Options{DataDir: dir}}
	c.opts.setDefaults()
	if err := c.prepareDataDir(); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{"": 0o700, "pki": 0o700, "pki/old.key": 0o600, "admin.kubeconfig": 0o600, "notes.txt": 0o644, "pki/ca.key": 0o600, "pki/etcd-ca.key": 0o600}
	for name, mode := range want {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%q mode %v, want %v", name, info.Mode().Perm(), mode)
		}
	}
}
