package cluster

import (
	"context"
	"fmt"
	"strconv"

	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"
)

// The scheduler's client rate, as flags (schedulerArgs) or in the file
// perflab writes (schedulerConfig).
const schedulerQPS, schedulerBurst = 500, 1000

// schedulerArgs: no serving port (its metrics register in the process-wide
// registry the API server's /metrics exposes), no leader election in a
// one-member control plane, and the client rate of scalability test clusters.
// config, when not empty, is the configuration file perflab wrote
// (schedulerConfig); kube-scheduler then takes its client and leader
// election settings from it.
func schedulerArgs(kubeconfig, config string, o Options) componentArgs {
	a := componentArgs{}.set(
		"kubeconfig", kubeconfig,
		"secure-port", "0",
		"bind-address", "127.0.0.1",
		"leader-elect", "false",
		"kube-api-qps", strconv.Itoa(schedulerQPS),
		"kube-api-burst", strconv.Itoa(schedulerBurst),
	)
	if config != "" {
		a.set("config", config)
	}
	a.setAll(o.SchedulerArgs)
	return a
}

func newSchedulerOptions(args componentArgs) (*options.Options, error) {
	o := options.NewOptions()
	if err := parseInto("kube-scheduler", *o.Flags, args); err != nil {
		return nil, err
	}
	return o, nil
}

// runScheduler sets the scheduler up and runs it in the background.
func runScheduler(ctx context.Context, o *options.Options, errc chan<- error) error {
	cc, sched, err := app.Setup(ctx, o)
	if err != nil {
		return fmt.Errorf("kube-scheduler: %w", err)
	}
	go func() { errc <- app.Run(ctx, cc, sched) }()
	return nil
}
