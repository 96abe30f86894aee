package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/tap"
	"github.com/perflab/perflab/target"
)

type tapOptions struct {
	listen     string
	kubeconfig string
	output     string
	refresh    time.Duration
	top        int
	target     target.Options
}

func newTapCommand() *cobra.Command {
	o := &tapOptions{listen: "127.0.0.1:8001", kubeconfig: "tap.kubeconfig", output: "calls.jsonl", refresh: 5 * time.Second, top: 10}
	cmd := &cobra.Command{
		Use:   "tap",
		Short: "Record every call clients make to the API server, through a local proxy",
		Long: `A recording proxy in front of the target API server. Clients use the
kubeconfig it writes (--write-kubeconfig); it forwards every request with the
target kubeconfig's credentials, as kubectl proxy does, over TLS on both
sides, and streams watches and upgraded connections through unchanged.

Each request becomes one JSON line in --output. A table of the top calls is
redrawn every --refresh, and a summary with p50/p99 latencies is printed on
Ctrl-C. The kubeconfig holds a client certificate the tap made for this run
only (the tap accepts no other); it is removed when the tap stops.`,
		Example: `  perflab tap --listen 127.0.0.1:8001 --write-kubeconfig tap.kubeconfig --output calls.jsonl
  KUBECONFIG=tap.kubeconfig kubectl get pods -A
  perflab tap summarize calls.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTap(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", o.listen, "loopback address to listen on (port 0: any free port)")
	f.StringVar(&o.kubeconfig, "write-kubeconfig", o.kubeconfig, "kubeconfig to write for clients of the tap (mode 0600; removed on exit)")
	f.StringVarP(&o.output, "output", "o", o.output, "file the records are written to, one JSON line per request")
	f.DurationVar(&o.refresh, "refresh", o.refresh, "how often the live table is redrawn")
	f.IntVar(&o.top, "top", o.top, "rows of each live table")
	o.target.AddFlags(f)
	cmd.AddCommand(newTapSummarizeCommand())
	return cmd
}

func runTap(ctx context.Context, o *tapOptions, stdout, stderr io.Writer) (err error) {
	if o.refresh <= 0 {
		return fmt.Errorf("--refresh %s: must be positive", o.refresh)
	}
	t, err := target.Resolve(ctx, o.target)
	if err != nil {
		return err
	}
	defer closeInto(&err, t.Close)
	s, err := tap.StartSession(ctx, tap.SessionOptions{Target: t.Config, Listen: o.listen, Output: o.output, Kubeconfig: o.kubeconfig})
	if err != nil {
		return fmt.Errorf("tap in front of %s (%s): %w", t.Name, t.Kubeconfig, err)
	}
	defer closeInto(&err, s.Close)
	fmt.Fprintf(stderr, "perflab tap: %s → %s (%s)\n", s.Tap.Server(), t.Config.Host, t.Name)
	fmt.Fprintf(stderr, "recording to %s; clients use:\n\n  export KUBECONFIG=%s\n\npress Ctrl-C to stop\n", o.output, o.kubeconfig)
	s.Stats.Live(ctx, stderr, tap.LiveOptions{Every: o.refresh, Top: o.top, Redraw: isTerminal(stderr)})
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "\n%d records written to %s\n\n", s.Records(), o.output)
	return s.Stats.Summary(true).Write(stdout)
}

func newTapSummarizeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "summarize FILE...",
		Short: "Summarize recorded calls: per verb and resource, count, failures, 429s, p50/p99 latency",
		Long: `Reads the tap's calls.jsonl files and API server audit logs (JSON lines,
audit.k8s.io/v1 Events, as perflab cluster up --audit writes) and prints one
summary of them all, a table per source.`,
		Example: `  perflab tap summarize calls.jsonl
  perflab tap summarize collected-metrics-*/calls.jsonl ~/.perflab/cluster/audit.log`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := tap.SummarizeFiles(args...)
			if err != nil {
				return err
			}
			return st.Summary(true).Write(cmd.OutOrStdout())
		},
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
