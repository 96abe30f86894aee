package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/google/uuid"
	"github.com/spf13/pflag"
)

// runLogFlags is kube-burner's run log: every command that runs against a
// cluster writes kube-burner-<uuid>.log in the working directory, unless
// --skip-log-file.
type runLogFlags struct {
	skip bool
}

func (r *runLogFlags) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&r.skip, "skip-log-file", false, "do not write the run log kube-burner-<uuid>.log in the working directory")
}

// runLogName is the run log's file name for a uuid.
func runLogName(id string) string { return fmt.Sprintf("kube-burner-%s.log", id) }

// open starts the run log for id ("" for a new uuid) and returns the
// function that ends it. Logs keep going to the current handler too.
func (r *runLogFlags) open(id string) (func(), error) {
	if r.skip {
		return func() {}, nil
	}
	if id == "" {
		id = uuid.NewString()
	}
	f, err := os.OpenFile(runLogName(id), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("run log: %w", err)
	}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewMultiHandler(prev.Handler(), slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	return func() { slog.SetDefault(prev); f.Close() }, nil
}
