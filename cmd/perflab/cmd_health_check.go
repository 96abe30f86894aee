package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/target"
)

type healthCheckOptions struct {
	runLog runLogFlags
	target target.Options
}

func newHealthCheckCommand() *cobra.Command {
	o := &healthCheckOptions{}
	cmd := &cobra.Command{
		Use:   "health-check",
		Short: "Check the cluster's health as kube-burner does: API server /healthz, and every node Ready without pressure",
		Long: `The API server's /healthz must answer "ok"; every node must be Ready and
every other node condition (MemoryPressure, DiskPressure, PIDPressure...) False.

Exit codes: 0 healthy, 1 not healthy (each problem is printed) or error.`,
		Example: `  perflab health-check --kubeconfig ~/.kube/config`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHealthCheck(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	o.runLog.addFlags(cmd.Flags())
	o.target.AddFlags(cmd.Flags())
	return cmd
}

func runHealthCheck(ctx context.Context, o *healthCheckOptions, out io.Writer) (err error) {
	closeLog, err := o.runLog.open("")
	if err != nil {
		return err
	}
	defer closeLog()
	env, err := target.Resolve(ctx, o.target)
	if err != nil {
		return err
	}
	defer closeInto(&err, env.Close)
	if err := burner.ClusterHealth(ctx, env.Client); err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, "Cluster is healthy.")
	return err
}
