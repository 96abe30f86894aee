package cluster

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/rest"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"
)

// apiServerArgs are the kube-apiserver flags perflab sets; user overrides
// (--apiserver-arg) are applied on top.
func apiServerArgs(o Options, p pki, pt ports) componentArgs {
	a := componentArgs{}
	a.set(
		"bind-address", "127.0.0.1",
		"advertise-address", "127.0.0.1",
		"secure-port", strconv.Itoa(pt.APIServer),
		"tls-cert-file", p.cert("serving"),
		"tls-private-key-file", p.key("serving"),
		"client-ca-file", p.caCert(),
		"anonymous-auth", "false",
		"authorization-mode", "Node,RBAC",
		"etcd-servers", "https://127.0.0.1:"+strconv.Itoa(pt.EtcdClient),
		"etcd-cafile", p.etcdCACert(),
		"etcd-certfile", p.cert("etcd-client"),
		"etcd-keyfile", p.key("etcd-client"),
		"service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"service-account-key-file", p.saPub(),
		"service-account-signing-key-file", p.saKey(),
		"service-cluster-ip-range", "10.96.0.0/16",
		// Endpoints reject loopback IPs, so the kubernetes Service's
		// endpoints are not reconciled for the loopback advertise address.
		"endpoint-reconciler-type", "none",
		"allow-privileged", "true",
		"max-requests-inflight", strconv.Itoa(o.MaxRequestsInflight),
		"max-mutating-requests-inflight", strconv.Itoa(o.MaxMutatingRequestsInflight),
		"profiling", "false",
	)
	a.set(frontProxyArgs(p)...)
	a.setAll(o.APIServerArgs)
	return a
}

// newAPIServerOptions builds kube-apiserver's options from its own flags.
func newAPIServerOptions(args componentArgs) (*options.ServerRunOptions, error) {
	s := options.NewServerRunOptions()
	if err := parseInto("kube-apiserver", s.Flags(), args); err != nil {
		return nil, err
	}
	return s, nil
}

// runAPIServer completes, validates and starts the API server chain
// (apiextensions → kube → aggregator). It returns once the server is
// serving; Run continues in the background until ctx is done, and its error
// (if any) arrives on errc. Until ready is set, requests that authorization
// does not allow fail with a retryable error (see startupGate). The
// aggregator proxies the metrics Service to metricsAddr.
func runAPIServer(ctx context.Context, s *options.ServerRunOptions, ready *atomic.Bool, errc chan<- error, metricsAddr string) error {
	// Loopback clients should not log warnings the server sends itself.
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	completed, err := s.Complete(ctx)
	if err != nil {
		return fmt.Errorf("kube-apiserver options: %w", err)
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return fmt.Errorf("kube-apiserver options: %w", utilerrors.NewAggregate(errs))
	}
	config, err := app.NewConfig(completed)
	if err != nil {
		return fmt.Errorf("kube-apiserver config: %w", err)
	}
	gateAuthorization(config, ready)
	config.Aggregator.ExtraConfig.ServiceResolver = metricsResolver{addr: metricsAddr, next: config.Aggregator.ExtraConfig.ServiceResolver}
	cc, err := config.Complete()
	if err != nil {
		return fmt.Errorf("kube-apiserver config: %w", err)
	}
	server, err := app.CreateServerChain(cc)
	if err != nil {
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	prepared, err := server.PrepareRun()
	if err != nil {
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	go func() { errc <- prepared.Run(ctx) }()
	return nil
}
