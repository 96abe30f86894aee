package clusterbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/perflab/perflab/results"
)

// File names in a --report-dir.
const (
	JSONFile  = "bench.json"
	TableFile = "bench.txt"
)

// File is bench.json.
type File struct {
	Command string   `json:"command,omitempty"`
	Results []Result `json:"results"`
}

// WriteDir writes bench.json and bench.txt (the tables) into dir.
func WriteDir(dir string, f File) error {
	d, err := results.NewDir(dir)
	if err != nil {
		return err
	}
	if err := d.WriteJSON(JSONFile, f); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := WriteTables(&b, f.Results); err != nil {
		return err
	}
	return d.WriteFile(TableFile, b.Bytes())
}

// WriteTables renders the sizes table, then each size's API calls.
func WriteTables(w io.Writer, rs []Result) error {
	if err := SizesTable(rs).Render(w); err != nil {
		return err
	}
	for _, r := range rs {
		fmt.Fprintln(w)
		if err := APICallsTable(r).Render(w); err != nil {
			return err
		}
	}
	return nil
}

// ReadFile reads a bench.json.
func ReadFile(path string) (File, error) {
	var f File
	b, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// RunChild runs one size in a child process, argv[0] with argv[1:] (this
// binary's `cluster bench` for one size with --json), whose standard output
// is the Result as JSON; its standard error (progress lines) goes to
// stderr. Cancelling ctx interrupts the child (SIGINT), so it stops its
// cluster and removes its data directory, and kills it after a grace time.
func RunChild(ctx context.Context, argv []string, stderr io.Writer) (Result, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = time.Minute
	var r Result
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("%s: %w", strings.Join(argv[1:], " "), err)
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return r, fmt.Errorf("%s: reading its result: %w", strings.Join(argv[1:], " "), err)
	}
	return r, nil
}
