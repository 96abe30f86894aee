package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
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
// temporary file renamed into place so readers never see half a file. A
// slice is encoded one element at a time (podLatency's documents for 150,000
// pods would otherwise be held twice in memory, compact and indented); the
// bytes are those of json.MarshalIndent(v, "", "  ") and a newline.
func (d *Dir) WriteJSON(name string, v any) error {
	return d.write(name, func(w io.Writer) error {
		if err := encodeIndented(w, v); err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		return nil
	})
}

// encodeIndented writes json.MarshalIndent(v, "", "  ") and a newline to w,
// a slice element by element.
func encodeIndented(w io.Writer, v any) error {
	rv := reflect.ValueOf(v)
	if _, custom := v.(json.Marshaler); custom || rv.Kind() != reflect.Slice || rv.Len() == 0 || rv.Type().Elem().Kind() == reflect.Uint8 {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("[\n")
	// One encoder and buffer for every element; elements are encoded through
	// their address, as json.Marshal does for the elements of a slice.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	for i := range rv.Len() {
		buf.Reset()
		if err := enc.Encode(rv.Index(i).Addr().Interface()); err != nil {
			return err
		}
		bw.WriteString("  ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if i < rv.Len()-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// WriteFile writes b to name inside the directory atomically.
func (d *Dir) WriteFile(name string, b []byte) error {
	return d.write(name, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// write writes name inside the directory atomically with fill.
func (d *Dir) write(name string, fill func(io.Writer) error) error {
	dst := filepath.Join(d.Path, name)
	tmp, err := os.CreateTemp(d.Path, "."+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	if err := fill(tmp); err != nil {
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
