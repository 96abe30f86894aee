package netperf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"
)

// ListenAndServe runs a server until ctx is done (perflab netperf server).
func ListenAndServe(ctx context.Context, o ServerOptions) error {
	srv, err := NewServer(ctx, o)
	if err != nil {
		return err
	}
	slog.Info("perflab netperf server listening", "tcp", srv.Addr().String(), "udp", srv.udp.LocalAddr().String())
	return srv.Serve(ctx)
}

// ReportOptions choose how results are written.
type ReportOptions struct {
	Format string // table, json or csv on w
	Dir    string // when set, also write a perfdash file and ResultsFileName here
}

// Validate checks the output format.
func (ro ReportOptions) Validate() error {
	if ro.Format != "" && !slices.Contains(Formats(), ro.Format) {
		return Write(io.Discard, ro.Format, nil)
	}
	return nil
}

// Emit writes rs to w in ro.Format and, with ro.Dir, a perfdash file.
func (ro ReportOptions) Emit(w io.Writer, rs []Result, write func(io.Writer, string) error) error {
	if write == nil {
		write = func(w io.Writer, f string) error { return Write(w, f, rs) }
	}
	var errs []error
	errs = append(errs, write(w, ro.Format))
	if ro.Dir != "" {
		_, err := WriteResults(ro.Dir, rs)
		errs = append(errs, err)
		path, err := WritePerfdash(ro.Dir, rs, time.Now())
		if err == nil && (ro.Format == "table" || ro.Format == "") { // json/csv stdout stays machine-readable
			_, err = fmt.Fprintln(w, "\nperfdash file:", path)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// RunAndReport runs o and writes the results (also the partial ones when a
// later test fails) as ro asks (perflab netperf run).
func RunAndReport(ctx context.Context, o Options, ro ReportOptions, w io.Writer) error {
	if err := ro.Validate(); err != nil {
		return err
	}
	rs, err := Run(ctx, o)
	if len(rs) > 0 {
		err = errors.Join(err, ro.Emit(w, rs, nil))
	}
	return err
}
