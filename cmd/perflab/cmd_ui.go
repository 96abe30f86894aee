package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/target"
	"github.com/perflab/perflab/ui"
)

// uiOptions are the live view's flags, on `perflab ui` and as --ui on
// commands that start it alongside.
type uiOptions struct {
	enabled bool
	addr    string
	token   string
}

// addFlags registers --<prefix>addr and --<prefix>token; with a prefix, also
// --ui to turn the view on.
func (o *uiOptions) addFlags(fs *pflag.FlagSet, prefix string) {
	if prefix != "" {
		fs.BoolVar(&o.enabled, "ui", false, "start the live view (perflab ui) alongside and print its URL")
	}
	fs.StringVar(&o.addr, prefix+"addr", ui.DefaultAddr, "host:port of the live view (off loopback a token is required)")
	fs.StringVar(&o.token, prefix+"token", "", "token the live view requires (default: none on loopback, generated and printed once otherwise)")
}

// start runs the live view on cfg until ctx ends and prints its URL.
func (o *uiOptions) start(ctx context.Context, cfg *rest.Config, withRun bool, out io.Writer) (*ui.Server, error) {
	token := o.token
	need, err := ui.NeedsToken(o.addr)
	if err != nil {
		return nil, err
	}
	if need && token == "" {
		if token, err = ui.NewToken(); err != nil {
			return nil, err
		}
	}
	s, err := ui.New(ui.Options{Addr: o.addr, Token: token, Config: cfg, Run: withRun})
	if err != nil {
		return nil, err
	}
	url, err := s.Start(ctx)
	if err != nil {
		return nil, err
	}
	if token != "" && o.token == "" {
		// The generated token is shown this once, in the URL to open.
		fmt.Fprintf(out, "live view: %s?token=%s\n", url, token)
	} else {
		fmt.Fprintf(out, "live view: %s\n", url)
	}
	return s, nil
}

type uiCommandOptions struct {
	ui     uiOptions
	target target.Options
}

func newUICommand() *cobra.Command {
	o := &uiCommandOptions{}
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Live view of a cluster: nodes, pods by phase, Pending reasons, usage, API rate",
		Long: `A local web page that shows nodes as boxes and pods as tiles coloured by
phase and readiness, Pending pods with the scheduler's reason, per-node pod
count against maxPods, CPU/memory requests against allocatable, usage when
metrics.k8s.io answers, and the API server's request rate and latency.
Filter by namespace and label selector in the page (or ?ns=&selector=).

It binds 127.0.0.1 by default. Off loopback it requires a token: --token,
or one generated and printed once in the URL.`,
		Example: `  perflab ui
  perflab ui --kubeconfig ~/.kube/config --addr 127.0.0.1:9000
  perflab ui --addr 0.0.0.0:8080          # prints a URL with a generated token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runUI(cmd.Context(), o, cmd.OutOrStdout()) },
	}
	o.ui.addFlags(cmd.Flags(), "")
	o.target.AddFlags(cmd.Flags())
	return cmd
}

func runUI(ctx context.Context, o *uiCommandOptions, out io.Writer) (err error) {
	if _, err := ui.NeedsToken(o.ui.addr); err != nil {
		return err
	}
	t, err := target.Resolve(ctx, o.target)
	if err != nil {
		return err
	}
	defer closeInto(&err, t.Close)
	if _, err := o.ui.start(ctx, t.Config, false, out); err != nil {
		return err
	}
	fmt.Fprintln(out, "press Ctrl-C to stop")
	<-ctx.Done()
	return nil
}
