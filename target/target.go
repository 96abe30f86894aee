// Package target decides which cluster a perflab command runs against: the
// one a kubeconfig names (--kubeconfig, else $KUBECONFIG, else
// ~/.kube/config), or, with --embedded or when none of those exists, an
// embedded cluster started for the run and stopped after it.
package target

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/perflab/perflab/cluster"
)

// Options select the target cluster.
type Options struct {
	Kubeconfig string
	Context    string
	Embedded   bool
	// Cluster configures the embedded cluster when one is started.
	Cluster cluster.Options
}

// AddFlags registers the target flags shared by every command that talks
// to a cluster.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "kubeconfig of the cluster to use (default $KUBECONFIG, then ~/.kube/config, else an embedded cluster)")
	fs.StringVar(&o.Context, "kube-context", o.Context, "kubeconfig context to use")
	fs.BoolVar(&o.Embedded, "embedded", o.Embedded, "run on an embedded cluster started for this run, even when a kubeconfig exists")
	fs.IntVar(&o.Cluster.Nodes, "embedded-nodes", 1, "hollow nodes of the embedded cluster")
	fs.IntVar(&o.Cluster.MaxPods, "embedded-max-pods", cluster.DefaultMaxPods, "pods per hollow node (kubelet maxPods) of the embedded cluster")
	fs.DurationVar(&o.Cluster.PodStartupDelay, "embedded-pod-startup-delay", 0, "delay before a pod on the embedded cluster becomes Ready")
	fs.DurationVar(&o.Cluster.JobDuration, "embedded-job-duration", cluster.DefaultJobDuration, "how long a Job's pod runs on the embedded cluster (its annotation "+cluster.JobDurationAnnotation+" wins)")
	fs.Var(o.Cluster.PodEventsFlag(), "embedded-pod-events", "the embedded cluster's nodes emit the kubelet's pod events (Pulling, Pulled, Created, Started)")
	fs.Lookup("embedded-pod-events").NoOptDefVal = "true"
}

// Target is the resolved cluster.
type Target struct {
	// Config is the client configuration (QPS 1000, burst 2000; pace with
	// your own limiter).
	Config *rest.Config
	// Kubeconfig is the kubeconfig file, for tools and messages.
	Kubeconfig string
	// Name describes the target for humans: the context name, or "embedded".
	Name string
	// Cluster is the embedded cluster, nil for a real one.
	Cluster *cluster.Cluster
}

// Embedded reports whether the target is an embedded cluster.
func (t *Target) Embedded() bool { return t.Cluster != nil }

// Close stops an embedded cluster; for a real cluster it does nothing.
func (t *Target) Close() error {
	if t.Cluster == nil {
		return nil
	}
	return t.Cluster.Stop()
}

// Resolve picks the target and, for the embedded case, starts the cluster.
func Resolve(ctx context.Context, o Options) (*Target, error) {
	if !o.Embedded {
		if path, err := findKubeconfig(o.Kubeconfig); err != nil {
			return nil, err
		} else if path != "" {
			return fromKubeconfig(path, o.Context)
		}
	}
	slog.Info("no kubeconfig given: starting an embedded cluster for this run",
		"nodes", max(o.Cluster.Nodes, 1), "maxPods", o.Cluster.MaxPods)
	c, err := cluster.Start(ctx, o.Cluster)
	if err != nil {
		return nil, fmt.Errorf("embedded cluster: %w", err)
	}
	slog.Info("embedded cluster ready", "server", c.Endpoints().APIServer, "kubeconfig", c.Kubeconfig())
	return &Target{Config: c.RESTConfig(), Kubeconfig: c.Kubeconfig(), Name: "embedded", Cluster: c}, nil
}

// findKubeconfig returns the kubeconfig to use, or "" for none. An explicit
// path must exist; $KUBECONFIG may list several (the loading rules merge
// them); ~/.kube/config is used when present.
func findKubeconfig(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("--kubeconfig %s: %w", explicit, err)
		}
		return explicit, nil
	}
	if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		for _, p := range filepath.SplitList(env) {
			if _, err := os.Stat(p); err == nil {
				return env, nil
			}
		}
	}
	if _, err := os.Stat(clientcmd.RecommendedHomeFile); err == nil {
		return clientcmd.RecommendedHomeFile, nil
	}
	return "", nil
}

func fromKubeconfig(paths, kubeContext string) (*Target, error) {
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: filepath.SplitList(paths)}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", paths, err)
	}
	name := raw.CurrentContext
	if kubeContext != "" {
		name = kubeContext
	}
	if _, ok := raw.Contexts[name]; !ok {
		return nil, fmt.Errorf("kubeconfig %s: %w", paths, errNoContext(name))
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", paths, err)
	}
	cfg.QPS, cfg.Burst = 1000, 2000
	slog.Info("target cluster", "context", name, "server", cfg.Host)
	return &Target{Config: cfg, Kubeconfig: paths, Name: name}, nil
}

func errNoContext(name string) error {
	if name == "" {
		return errors.New("no current context; pass --kube-context")
	}
	return fmt.Errorf("context %q not found", name)
}
