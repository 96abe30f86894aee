package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/target"
)

type destroyOptions struct {
	uuid    string
	timeout time.Duration
	target  target.Options
}

func newDestroyCommand() *cobra.Command {
	o := &destroyOptions{timeout: 10 * time.Minute}
	cmd := &cobra.Command{
		Use:     "destroy --uuid UUID",
		Example: `  perflab destroy --uuid 12003c7e-a7ec-4417-9f52-b4e2aac8dcb1`,
		Short:   "Delete the namespaces a perflab init (or kube-burner) run created, by its uuid label",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDestroy(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	uuidVar(cmd.Flags(), &o.uuid, "UUID of the run")
	durationVar(cmd.Flags(), &o.timeout, "timeout", o.timeout, "how long to wait for the namespaces to go")
	o.target.AddFlags(cmd.Flags())
	_ = cmd.MarkFlagRequired("uuid")
	return cmd
}

func runDestroy(ctx context.Context, o *destroyOptions, out io.Writer) error {
	env, err := target.Resolve(ctx, o.target)
	if err != nil {
		return err
	}
	defer env.Close()
	n, err := burner.Destroy(ctx, env, o.uuid, o.timeout)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "deleted %d namespaces of run %s\n", n, o.uuid)
	return err
}
