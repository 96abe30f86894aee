package runenv

import (
	"errors"
	"fmt"
	"slices"

	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/kube"
)

// Env is one run's environment. Build it with New; it is not safe to
// change after the run has started.
type Env struct {
	// Name describes the cluster for people: the kubeconfig context, or
	// "embedded".
	Name string
	// Kubeconfig is the kubeconfig file (or $KUBECONFIG list) of the
	// cluster, "" when the config came from elsewhere.
	Kubeconfig string
	// Config is the client configuration (QPS 1000, burst 2000 from
	// target; pace with a kube.Limiter).
	Config *rest.Config
	// Client is the shared client bundle built from Config.
	Client *kube.Client
	// Embedded is set when the cluster is perflab's embedded one.
	Embedded *Embedded
	// Prometheus is the run's Prometheus, nil when it has none.
	Prometheus *Prometheus

	closers []func() error
}

// Embedded describes perflab's embedded cluster.
type Embedded struct {
	// DataDir holds etcd data, PKI, kubeconfigs and logs.
	DataDir string
	// PrometheusConfig is <data-dir>/prometheus.yml, scraping every
	// component; a managed Prometheus runs with it.
	PrometheusConfig string
	// MaxPodsHint says how to raise a node's pod limit (the flags).
	MaxPodsHint string
}

// Prometheus is the server a run queries.
type Prometheus struct {
	URL string
	// Managed says perflab started it for this run; it stops with the Env.
	Managed bool
}

// New builds the environment of the cluster cfg reaches.
func New(cfg *rest.Config) (*Env, error) {
	if cfg == nil {
		return nil, errors.New("runenv: nil rest config")
	}
	c, err := kube.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Env{Name: cfg.Host, Config: cfg, Client: c}, nil
}

// MaxPodsHint is the advice printed with a "Too many pods" diagnosis; ""
// lets the waiter give its general advice.
func (e *Env) MaxPodsHint() string {
	if e.Embedded == nil {
		return ""
	}
	return e.Embedded.MaxPodsHint
}

// HookEnv is what hook commands get added to their environment: the
// cluster's KUBECONFIG, so kubectl in a hook talks to the same cluster.
func (e *Env) HookEnv() []string {
	if e.Kubeconfig == "" {
		return nil
	}
	return []string{"KUBECONFIG=" + e.Kubeconfig}
}

// Describe is one line for the terminal saying where the run goes.
func (e *Env) Describe() string {
	if e.Embedded != nil {
		return fmt.Sprintf("started an embedded cluster for this run (%s); it stops when the run ends", e.Name)
	}
	return fmt.Sprintf("running on %s (%s)", e.Name, e.Config.Host)
}

// OnClose registers f to run when the environment closes, after the ones
// registered later (last in, first out).
func (e *Env) OnClose(f func() error) { e.closers = append(e.closers, f) }

// Close stops what the environment started (a managed Prometheus, an
// embedded cluster), in reverse order. It may be called more than once.
func (e *Env) Close() error {
	if e == nil {
		return nil
	}
	fs := e.closers
	e.closers = nil
	var errs []error
	for _, f := range slices.Backward(fs) {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}
