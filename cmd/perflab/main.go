// Command perflab is the Kubernetes & Cilium performance lab in one binary.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/perflab/perflab/exitcode"
)

func main() {
	// Kubernetes packages register flags (--version...) on pflag's global
	// set, which cobra would show on every command; perflab uses none.
	pflag.CommandLine = pflag.NewFlagSet(os.Args[0], pflag.ContinueOnError)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	interrupted := ctx.Err() != nil
	stop()
	code := exitcode.Of(err)
	if interrupted && code == exitcode.Error {
		code = exitcode.Interrupted
	}
	if err != nil && !exitcode.Silent(err) {
		fmt.Fprintln(os.Stderr, "perflab:", err)
	}
	os.Exit(code)
}
