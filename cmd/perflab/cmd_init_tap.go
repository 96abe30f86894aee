package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/tap"
)

// The files perflab init --tap writes into the results directory.
const (
	tapCallsName      = "calls.jsonl"
	tapSummaryName    = "calls-summary.txt"
	tapKubeconfigName = "tap.kubeconfig" // removed when the run ends
)

// initTap runs a job's own API traffic through a tap.
type initTap struct {
	s   *tap.Session
	dir string
}

// startInitTap starts a tap in front of cfg recording into dir. Its
// ClientConfig and kubeconfig replace the target's for the job and its
// hooks.
func startInitTap(ctx context.Context, cfg *rest.Config, dir string, stderr io.Writer) (*initTap, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s, err := tap.StartSession(ctx, tap.SessionOptions{
		Target:     cfg,
		Output:     filepath.Join(dir, tapCallsName),
		Kubeconfig: filepath.Join(dir, tapKubeconfigName),
	})
	if err != nil {
		return nil, fmt.Errorf("--tap: %w", err)
	}
	fmt.Fprintf(stderr, "perflab: the job's API calls go through a tap (%s), recorded in %s\n", s.Tap.Server(), filepath.Join(dir, tapCallsName))
	return &initTap{s: s, dir: dir}, nil
}

func (t *initTap) config() *rest.Config { return t.s.Tap.ClientConfig() }

func (t *initTap) kubeconfig() string { return filepath.Join(t.dir, tapKubeconfigName) }

// finish stops the tap, writes the summary next to the records and prints
// it. It may be called more than once; nil does nothing.
func (t *initTap) finish(out io.Writer) error {
	if t == nil || t.s == nil {
		return nil
	}
	s := t.s
	t.s = nil
	if err := s.Close(); err != nil {
		return fmt.Errorf("--tap: %w", err)
	}
	var b bytes.Buffer
	if err := s.Stats.Summary(true).Write(&b); err != nil {
		return err
	}
	path := filepath.Join(t.dir, tapSummaryName)
	err := os.WriteFile(path, b.Bytes(), 0o644)
	fmt.Fprintf(out, "\nAPI calls of this run (%s; again with perflab tap summarize %s):\n\n", path, filepath.Join(t.dir, tapCallsName))
	_, werr := out.Write(b.Bytes())
	return errors.Join(err, werr)
}
