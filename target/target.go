// Package target decides which cluster a perflab command runs against: the
// one a kubeconfig names (--kubeconfig, else $KUBECONFIG, else
// ~/.kube/config), or, with --embedded or when none of those exists, an
// embedded cluster started for the run and stopped after it. It hands the
// result to the commands as a runenv.Env.
package target

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/runenv"
)

// embeddedMaxPodsHint names the flags that raise the embedded cluster's
// pod capacity.
const embeddedMaxPodsHint = "raise kubelet maxPods (embedded: --embedded-max-pods) or add nodes (--embedded-nodes)"

// Options select the target cluster.
type Options struct {
	Kubeconfig string
	Context    string
	Embedded   bool
	// RealOnly refuses to start an embedded cluster: without a kubeconfig
	// Resolve fails with ErrNoKubeconfig.
	RealOnly bool
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

// AddKubeconfigFlags registers only --kubeconfig and --kube-context, for
// commands that need a real cluster (RealOnly).
func (o *Options) AddKubeconfigFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "kubeconfig of a real cluster (default $KUBECONFIG, then ~/.kube/config)")
	fs.StringVar(&o.Context, "kube-context", o.Context, "kubeconfig context to use")
}

// ErrNoKubeconfig is returned with RealOnly when no kubeconfig exists.
var ErrNoKubeconfig = errors.New("no kubeconfig: pass --kubeconfig, or set $KUBECONFIG")

// Resolve picks the target and returns its run environment; for the
// embedded case it starts the cluster, which stops when the Env closes.
func Resolve(ctx context.Context, o Options) (*runenv.Env, error) {
	if !o.Embedded || o.RealOnly {
		if path, err := findKubeconfig(o.Kubeconfig); err != nil {
			return nil, err
		} else if path != "" {
			return fromKubeconfig(path, o.Context)
		}
	}
	if o.RealOnly {
		return nil, ErrNoKubeconfig
	}
	slog.Info("no kubeconfig given: starting an embedded cluster for this run",
		"nodes", max(o.Cluster.Nodes, 1), "maxPods", o.Cluster.MaxPods)
	c, err := cluster.Start(ctx, o.Cluster)
	if err != nil {
		return nil, fmt.Errorf("embedded cluster: %w", err)
	}
	slog.Info("embedded cluster ready", "server", c.Endpoints().APIServer, "kubeconfig", c.Kubeconfig())
	env, err := FromCluster(c)
	if err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	env.OnClose(c.Stop)
	return env, nil
}

// FromCluster is the run environment of an embedded cluster that is
// already running; closing the Env does not stop it.
func FromCluster(c *cluster.Cluster) (*runenv.Env, error) {
	env, err := runenv.New(c.RESTConfig())
	if err != nil {
		return nil, err
	}
	env.Name, env.Kubeconfig = "embedded", c.Kubeconfig()
	env.Embedded = &runenv.Embedded{DataDir: c.DataDir(), PrometheusConfig: c.PrometheusConfig(), MaxPodsHint: embeddedMaxPodsHint}
	return env, nil
}

// FromDataDir is the run environment of the embedded cluster running on
// dataDir (started by perflab cluster up), reached with its kubeconfig.
func FromDataDir(dataDir string) (*runenv.Env, error) {
	path := cluster.KubeconfigPath(dataDir)
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig of %s: %w", dataDir, err)
	}
	env, err := runenv.New(cfg)
	if err != nil {
		return nil, err
	}
	env.Name, env.Kubeconfig = "embedded", path
	env.Embedded = &runenv.Embedded{DataDir: dataDir, PrometheusConfig: filepath.Join(dataDir, "prometheus.yml"), MaxPodsHint: embeddedMaxPodsHint}
	return env, nil
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

func fromKubeconfig(paths, kubeContext string) (*runenv.Env, error) {
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
	env, err := runenv.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", paths, err)
	}
	env.Name, env.Kubeconfig = name, paths
	return env, nil
}

func errNoContext(name string) error {
	if name == "" {
		return errors.New("no current context; pass --kube-context")
	}
	return fmt.Errorf("context %q not found", name)
}
