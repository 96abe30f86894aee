package cluster

import (
	"context"
	"fmt"

	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app/options"
)

// controllerManagerArgs runs every default controller (node-lifecycle
// included: it removes the not-ready taint once kwok marks a node Ready),
// each with its own service account as in kubeadm clusters. Pod CIDRs are
// set when perflab creates a node, so node-ipam does not allocate them. The
// node-monitor grace period follows the nodes' lease duration
// (Options.NodeMonitorGracePeriod); the user's --controller-manager-arg
// values win.
func controllerManagerArgs(kubeconfig string, p pki, o Options) componentArgs {
	a := componentArgs{}.set(
		"kubeconfig", kubeconfig,
		"secure-port", "0",
		"bind-address", "127.0.0.1",
		"leader-elect", "false",
		"controllers", "*",
		"use-service-account-credentials", "true",
		"service-account-private-key-file", p.saKey(),
		"root-ca-file", p.caCert(),
		"cluster-signing-cert-file", p.caCert(),
		"cluster-signing-key-file", p.caKey(),
		"allocate-node-cidrs", "false",
		"kube-api-qps", "500",
		"kube-api-burst", "1000",
		"node-monitor-grace-period", o.NodeMonitorGracePeriod.String(),
	)
	a.setAll(o.ControllerManagerArgs)
	return a
}

// newControllerManagerOptions must run before the API server's and the
// scheduler's options are built: its flag setup changes a feature-gate
// default that is locked once the others register theirs.
func newControllerManagerOptions(args componentArgs) (*options.KubeControllerManagerOptions, error) {
	s, err := options.NewKubeControllerManagerOptions()
	if err != nil {
		return nil, fmt.Errorf("kube-controller-manager options: %w", err)
	}
	nfs := s.Flags(app.KnownControllers(), app.ControllersDisabledByDefault(), app.ControllerAliases())
	s.ParsedFlags = &nfs
	if err := parseInto("kube-controller-manager", nfs, args); err != nil {
		return nil, err
	}
	return s, nil
}

// runControllerManager builds the controller-manager config (which talks to
// the API server) and runs all controllers in the background.
func runControllerManager(ctx context.Context, s *options.KubeControllerManagerOptions, errc chan<- error) error {
	c, err := s.Config(ctx, app.KnownControllers(), app.ControllersDisabledByDefault(), app.ControllerAliases())
	if err != nil {
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	go func() { errc <- app.Run(ctx, c.Complete()) }()
	return nil
}
