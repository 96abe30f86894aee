package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/target"
)

type destroyOptions struct {
	uuid     string
	config   string
	userData string
	timeout  time.Duration
	runLog   runLogFlags
	target   target.Options
}

func newDestroyCommand() *cobra.Command {
	o := &destroyOptions{timeout: burner.DefaultTimeout}
	cmd := &cobra.Command{
		Use: "destroy (-c CONFIG | --uuid UUID)",
		Example: `  perflab destroy -c examples/kube-burner/s1-config.yaml
  perflab destroy --uuid 12003c7e-a7ec-4417-9f52-b4e2aac8dcb1`,
		Short: "Delete what perflab init (or kube-burner) runs created: by the config's job names, or by a run's uuid",
		Long: `With -c (kube-burner v2's destroy), everything labelled with one of the
config's job names (kube-burner.io/job) is deleted, whichever run created it.
With --uuid (kube-burner v1's destroy), everything of that run is deleted
(kube-burner.io/uuid or kube-burner-uuid). Deleted are the labelled namespaces
and the labelled objects outside them: in namespaces that existed before the
run (such as default), and cluster-scoped ones (ClusterRoles, custom
resources...). Objects with an owner go with their owner.

Exit codes: 0 ok, 1 error, 2 the deletions did not finish within --timeout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDestroy(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.config, "config", "c", "", "config file whose jobs' objects to delete (kube-burner v2)")
	f.StringVar(&o.userData, "user-data", "", "YAML file of variables for the config template")
	uuidVar(f, &o.uuid, "UUID of the run whose objects to delete (kube-burner v1)")
	durationVar(f, &o.timeout, "timeout", o.timeout, "how long to wait for the deletions")
	o.runLog.addFlags(f)
	o.target.AddFlags(f)
	cmd.MarkFlagsOneRequired("config", "uuid")
	cmd.MarkFlagsMutuallyExclusive("config", "uuid")
	return cmd
}

func runDestroy(ctx context.Context, o *destroyOptions, out io.Writer) (err error) {
	selectors := burner.UUIDSelectors(o.uuid)
	what := "run " + o.uuid
	if o.config != "" {
		spec, err := burner.Load(o.config, burner.LoadOptions{UserDataFile: o.userData, AllowMissing: true, SkipTemplates: true})
		if err != nil {
			return err
		}
		selectors, what = spec.JobSelectors(), "the jobs of "+o.config
	}
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
	dctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ns, objs, err := burner.Destroy(dctx, env, selectors, o.timeout)
	if err != nil {
		if errors.Is(dctx.Err(), context.DeadlineExceeded) {
			return exitcode.With(exitcode.Timeout, err)
		}
		return err
	}
	_, err = fmt.Fprintf(out, "deleted %d namespaces and %d objects of %s\n", ns, objs, what)
	return err
}
