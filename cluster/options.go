package cluster

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Options configure an embedded cluster. The zero value is usable: Start
// fills the defaults below.
type Options struct {
	// DataDir holds etcd's data, the PKI, kubeconfigs and logs. Empty means a
	// temporary directory that Stop removes. Restarting on the same
	// directory keeps every object.
	DataDir string
	// Nodes is how many hollow nodes exist after Start (default 1). On a
	// restart, existing nodes count towards it.
	Nodes int
	// MaxPods is the pods capacity of each node (kubelet maxPods; default 110).
	MaxPods int
	// NodeCPU and NodeMemory are each node's capacity (defaults 32 and 256Gi).
	NodeCPU, NodeMemory string
	// PodStartupDelay and PodStartupJitter delay the moment a scheduled pod
	// becomes Running and Ready by Delay plus a uniform random part of
	// Jitter, so pod-startup measurements are not all zero.
	PodStartupDelay, PodStartupJitter time.Duration
	// JobDuration is how long a Job's pod runs before it succeeds, unless
	// the pod's JobDurationAnnotation says otherwise (0: at once).
	JobDuration time.Duration
	// NoPodEvents stops the nodes emitting the kubelet's pod events
	// (Pulling, Pulled, Created, Started); each costs a pod status update
	// and an Event, as on a real node.
	NoPodEvents bool
	// MaxRequestsInflight and MaxMutatingRequestsInflight are the API
	// server's flags of the same names (defaults 400 and 200).
	MaxRequestsInflight, MaxMutatingRequestsInflight int
	// ResourceUsage is a YAML file of kwok ResourceUsage and
	// ClusterResourceUsage objects: the simulated usage metrics.k8s.io
	// (kubectl top) reports. Empty: usage from each container's requests and
	// limits (resource_usage.yaml).
	ResourceUsage string
	// APIServerArgs are extra kube-apiserver flags as "key=value"; they win
	// over perflab's own settings. Those that would weaken binding,
	// authentication, TLS or authorization are refused unless
	// InsecureAPIServerArgs is set.
	APIServerArgs []string
	// InsecureAPIServerArgs accepts such APIServerArgs; Start logs a
	// warning for each.
	InsecureAPIServerArgs bool
	// AuditLog, when set, is the file the API server writes its audit log
	// to: every request at Metadata level, as JSON lines (see audit.go).
	AuditLog string

	// Scale knobs (docs/scale.md). Each mirrors a setting of a real
	// cluster; the defaults are those of a kubeadm cluster.

	// NodeLeaseDuration is every node's Lease duration, the kubelet's
	// nodeLeaseDurationSeconds (default 40s). A node renews its Lease every
	// quarter of it, so at the default 5,000 nodes write 500 Leases a second.
	NodeLeaseDuration time.Duration
	// NodeMonitorGracePeriod is kube-controller-manager's
	// --node-monitor-grace-period: how long a node may go without renewing
	// its Lease before it is marked NotReady (default 50s, or 5/4 of a longer
	// NodeLeaseDuration).
	NodeMonitorGracePeriod time.Duration
	// EtcdUnsafeNoFsync is etcd's --unsafe-no-fsync. Nil: on for a
	// temporary data directory (nothing to lose on a crash), off for one the
	// user keeps.
	EtcdUnsafeNoFsync *bool
	// SchedulerArgs and ControllerManagerArgs are extra kube-scheduler and
	// kube-controller-manager flags as "key=value", applied over perflab's.
	// Flags that would change the components' identity or make them serve
	// are refused unless InsecureAPIServerArgs is set.
	SchedulerArgs, ControllerManagerArgs []string
	// MemoryLimit is the Go runtime's soft memory limit for the process the
	// cluster runs in, in bytes: GOMEMLIMIT, which production control-plane
	// components are often run with. The garbage collector works harder as
	// the heap nears it, instead of letting the heap grow to twice the live
	// data. 0 leaves the runtime's setting (GOMEMLIMIT, else none).
	MemoryLimit int64
	// SchedulerConfig is a kube-scheduler configuration file
	// (KubeSchedulerConfiguration, kubescheduler.config.k8s.io/v1), as a
	// real scheduler's --config. perflab sets its clientConnection.kubeconfig
	// and leaderElection; a file that sets either is refused.
	SchedulerConfig string
	// SchedulerDefaultSpreading is SpreadingSystem (empty: the default) or
	// SpreadingNone, which turns off the scheduler's system default
	// topology spreading (PodTopologySpread defaultingType: List, no
	// defaultConstraints).
	SchedulerDefaultSpreading string
	// SchedulerPercentageOfNodesToScore is the scheduler's
	// percentageOfNodesToScore, 1 to 100; 0 keeps the file's value or the
	// adaptive default (50 % minus 1 % per 125 nodes, at least 5 %).
	SchedulerPercentageOfNodesToScore int
}

// Defaults for Options.
const (
	DefaultMaxPods = 110
	// DefaultJobDuration is the flags' default Options.JobDuration.
	DefaultJobDuration                 = 10 * time.Second
	DefaultNodeCPU                     = "32"
	DefaultNodeMemory                  = "256Gi"
	DefaultMaxRequestsInflight         = 400
	DefaultMaxMutatingRequestsInflight = 200
	// DefaultNodeLeaseDuration is the kubelet's nodeLeaseDurationSeconds.
	DefaultNodeLeaseDuration = 40 * time.Second
	// DefaultNodeMonitorGracePeriod is kube-controller-manager's default.
	DefaultNodeMonitorGracePeriod = 50 * time.Second
)

// ErrInvalidOptions marks option validation failures.
var ErrInvalidOptions = errors.New("invalid cluster options")

func (o *Options) setDefaults() {
	if o.Nodes == 0 {
		o.Nodes = 1
	}
	if o.MaxPods == 0 {
		o.MaxPods = DefaultMaxPods
	}
	if o.NodeCPU == "" {
		o.NodeCPU = DefaultNodeCPU
	}
	if o.NodeMemory == "" {
		o.NodeMemory = DefaultNodeMemory
	}
	if o.MaxRequestsInflight == 0 {
		o.MaxRequestsInflight = DefaultMaxRequestsInflight
	}
	if o.MaxMutatingRequestsInflight == 0 {
		o.MaxMutatingRequestsInflight = DefaultMaxMutatingRequestsInflight
	}
	if o.NodeLeaseDuration == 0 {
		o.NodeLeaseDuration = DefaultNodeLeaseDuration
	}
	if o.NodeMonitorGracePeriod == 0 {
		o.NodeMonitorGracePeriod = max(DefaultNodeMonitorGracePeriod, o.NodeLeaseDuration*5/4)
	}
}

// Validate reports the first invalid option, naming its flag. Unset
// fields are checked with their defaults.
func (o Options) Validate() error {
	o.setDefaults()
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidOptions, fmt.Sprintf(format, a...))
	}
	switch {
	case o.Nodes < 0:
		return invalid("--nodes %d: must be 0 or more", o.Nodes)
	case o.MaxPods < 0 || o.MaxPods > maxPodsLimit:
		return invalid("--max-pods %d: must be between 1 and %d", o.MaxPods, maxPodsLimit)
	case o.PodStartupDelay < 0:
		return invalid("--pod-startup-delay %s: must not be negative", o.PodStartupDelay)
	case o.PodStartupJitter < 0:
		return invalid("--pod-startup-jitter %s: must not be negative", o.PodStartupJitter)
	case o.JobDuration < 0:
		return invalid("--job-duration %s: must not be negative", o.JobDuration)
	case o.MaxRequestsInflight < 0:
		return invalid("--max-requests-inflight %d: must not be negative", o.MaxRequestsInflight)
	case o.MaxMutatingRequestsInflight < 0:
		return invalid("--max-mutating-requests-inflight %d: must not be negative", o.MaxMutatingRequestsInflight)
	case o.MemoryLimit < 0:
		return invalid("--memory-limit %d: must not be negative", o.MemoryLimit)
	case o.NodeLeaseDuration < time.Second || o.NodeLeaseDuration%time.Second != 0:
		return invalid("--node-lease-duration %s: must be a whole number of seconds, at least 1s", o.NodeLeaseDuration)
	case o.NodeMonitorGracePeriod < o.NodeLeaseDuration/2:
		// A node renews every quarter of its lease duration; a grace period
		// shorter than two renewals marks healthy nodes NotReady.
		return invalid("--node-monitor-grace-period %s: must be at least half of --node-lease-duration %s (two renewals)", o.NodeMonitorGracePeriod, o.NodeLeaseDuration)
	}
	switch o.SchedulerDefaultSpreading {
	case "", SpreadingSystem, SpreadingNone:
	default:
		return invalid("--scheduler-default-spreading %q: want %s or %s", o.SchedulerDefaultSpreading, SpreadingSystem, SpreadingNone)
	}
	if p := o.SchedulerPercentageOfNodesToScore; p < 0 || p > 100 {
		return invalid("--scheduler-percentage-of-nodes-to-score %d: must be between 0 and 100", p)
	}
	for _, q := range []struct{ flag, v string }{{"--node-cpu", o.NodeCPU}, {"--node-memory", o.NodeMemory}} {
		if q.v == "" {
			continue
		}
		v, err := resource.ParseQuantity(q.v)
		if err != nil {
			return invalid("%s %q: not a Kubernetes quantity (examples: 32, 500m, 256Gi)", q.flag, q.v)
		}
		if v.Sign() <= 0 {
			return invalid("%s %q: must be positive", q.flag, q.v)
		}
	}
	for _, a := range o.APIServerArgs {
		k, _, ok := strings.Cut(a, "=")
		if !ok || strings.TrimLeft(k, "-") == "" {
			return invalid("--apiserver-arg %q: want key=value", a)
		}
	}
	for _, c := range []struct {
		flag string
		args []string
	}{{"--scheduler-arg", o.SchedulerArgs}, {"--controller-manager-arg", o.ControllerManagerArgs}} {
		for _, a := range c.args {
			k, _, ok := strings.Cut(a, "=")
			if !ok || strings.TrimLeft(k, "-") == "" {
				return invalid("%s %q: want key=value", c.flag, a)
			}
		}
	}
	if bad := o.unsafeOverrides(); len(bad) > 0 && !o.InsecureAPIServerArgs {
		return invalid("%s; pass --insecure-apiserver-args to do it anyway", bad[0])
	}
	if o.schedulerConfigWanted() {
		if _, err := o.schedulerConfig("kube-scheduler.kubeconfig"); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidOptions, err)
		}
	}
	return nil
}

// maxPodsLimit keeps a node's pod CIDR within a /16.
const maxPodsLimit = 65000

// PodEventsFlag is a boolean flag value (on by default, as on a real node)
// that sets NoPodEvents to its negation; register it with NoOptDefVal
// "true".
func (o *Options) PodEventsFlag() interface {
	String() string
	Set(string) error
	Type() string
} {
	return podEventsFlag{o}
}

type podEventsFlag struct{ o *Options }

func (f podEventsFlag) String() string { return strconv.FormatBool(!f.o.NoPodEvents) }
func (f podEventsFlag) Type() string   { return "bool" }
func (f podEventsFlag) Set(s string) error {
	v, err := strconv.ParseBool(s)
	f.o.NoPodEvents = !v
	return err
}
