package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// rootOptions are the flags every command shares.
type rootOptions struct {
	logLevel string
}

func newRootCommand() *cobra.Command {
	opts := &rootOptions{logLevel: "info"}
	root := &cobra.Command{
		Use:           "perflab",
		Short:         "Kubernetes & Cilium performance lab in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return setupLogging(opts.logLevel)
		},
		Long: `perflab runs kube-burner and ClusterLoader2 load tests, collects metrics,
benchmarks the network and advises on Cilium tuning. With no kubeconfig it
starts a real Kubernetes control plane with simulated nodes in-process.

Exit codes: 0 ok, 1 error or failed verification, 2 timeout, 3 alert fired,
4 measurement threshold exceeded, 130 interrupted.`,
	}
	root.PersistentFlags().StringVar(&opts.logLevel, "log-level", opts.logLevel, "log level: debug, info, warn, error")
	root.AddCommand(
		newVersionCommand(),
		newCL2Command(),
		newClusterCommand(),
		newNetperfCommand(),
		newInitCommand(),
		newDestroyCommand(),
		newHealthCheckCommand(),
		newMeasureCommand(),
		newIndexCommand(),
		newCheckAlertsCommand(),
		newGrafanaDashboardCommand(),
		newMetricsCommand(),
		newCiliumCommand(),
		newUICommand(),
		newReportCommand(),
		newCompareCommand(),
		newTapCommand(),
	)
	return root
}

func setupLogging(level string) error {
	var l slog.Level
	switch lv := strings.ToLower(level); lv {
	case "trace": // kube-burner's (logrus) levels below debug and above error
		l = slog.LevelDebug
	case "fatal", "panic":
		l = slog.LevelError
	default:
		if err := l.UnmarshalText([]byte(lv)); err != nil {
			return fmt.Errorf("--log-level %q: want debug, info, warn or error (or kube-burner's trace, fatal)", level)
		}
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})))
	return nil
}
