package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Dir is a run's output directory (kube-burner's metrics directory).
type Dir struct{ Path string }

// NewDir creates path (and parents) if needed.
func NewDir(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("results directory: %w", err)
	}
	return &Dir{Path: path}, nil
}

// WriteJSON writes v as indented JSON to name inside the directory, through a
// temporary file renamed into place so readers never see half a file.
func (d *Dir) WriteJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	b = append(b, '\n')
	return d.WriteFile(name, b)
}

// WriteFile writes b to name inside the directory atomically.
func (d *Dir) WriteFile(name string, b []byte) error {
	dst := filepath.Join(d.Path, name)
	tmp, err := os.CreateTemp(d.Path, "."+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", dst, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", dst, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}
