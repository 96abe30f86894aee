package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/perflab/perflab/cluster"
)

// addClusterScaleFlags registers the knobs large simulated clusters need
// (docs/scale.md). Each names the real-cluster setting it mirrors; the
// defaults are a kubeadm cluster's.
func addClusterScaleFlags(fs *pflag.FlagSet, c *cluster.Options) {
	fs.DurationVar(&c.NodeLeaseDuration, "node-lease-duration", cluster.DefaultNodeLeaseDuration,
		"each node's Lease duration (kubelet nodeLeaseDurationSeconds); nodes renew every quarter of it, so 5,000 nodes at 40s write 500 Leases/s")
	fs.DurationVar(&c.NodeMonitorGracePeriod, "node-monitor-grace-period", 0,
		"kube-controller-manager --node-monitor-grace-period: an unrenewed Lease marks its node NotReady after this (default 50s, or 5/4 of a longer --node-lease-duration)")
	fs.Var(&optionalBool{p: &c.EtcdUnsafeNoFsync}, "etcd-unsafe-no-fsync",
		"etcd --unsafe-no-fsync: skip fsync, so a crash may lose data; auto is on for a temporary data dir, off for --data-dir")
	fs.Lookup("etcd-unsafe-no-fsync").NoOptDefVal = "true"
	fs.Var(&byteQuantity{p: &c.MemoryLimit}, "memory-limit",
		"the Go runtime's soft memory limit of this process, as GOMEMLIMIT (e.g. 7Gi): the GC works harder near it instead of letting the heap reach twice the live data; 0 keeps GOMEMLIMIT's")
	fs.StringArrayVar(&c.SchedulerArgs, "scheduler-arg", nil,
		"extra kube-scheduler flag as key=value (repeatable), e.g. kube-api-qps=1000; identity and serving flags, and config (use --scheduler-config), are refused")
	fs.StringVar(&c.SchedulerConfig, "scheduler-config", "",
		"kube-scheduler --config: a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file; perflab sets clientConnection.kubeconfig and leaderElection, and refuses a file that sets them")
	fs.StringVar(&c.SchedulerDefaultSpreading, "scheduler-default-spreading", cluster.SpreadingSystem,
		"system: the scheduler spreads pods without constraints of their own by hostname and zone, as every cluster does; none: PodTopologySpread defaultingType List with no defaultConstraints (the documented opt-out), which saves the scheduler a count of every placed pod per pod at scale")
	fs.IntVar(&c.SchedulerPercentageOfNodesToScore, "scheduler-percentage-of-nodes-to-score", 0,
		"kube-scheduler percentageOfNodesToScore (1-100): stop filtering once this share of nodes fits; 0 keeps the adaptive default (50% minus 1% per 125 nodes, at least 5%)")
	fs.StringArrayVar(&c.ControllerManagerArgs, "controller-manager-arg", nil,
		"extra kube-controller-manager flag as key=value (repeatable), e.g. concurrent-replicaset-syncs=10; identity and serving flags are refused")
}

// optionalBool is a bool flag whose "not given" is kept apart from false.
type optionalBool struct{ p **bool }

func (b *optionalBool) String() string {
	if b.p == nil || *b.p == nil {
		return "auto"
	}
	return strconv.FormatBool(**b.p)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*b.p = &v
	return nil
}

func (b *optionalBool) Type() string { return "bool" }

// byteQuantity is a byte count given as a Kubernetes quantity (7Gi, 512Mi).
type byteQuantity struct{ p *int64 }

func (q *byteQuantity) String() string {
	if q.p == nil {
		return "0"
	}
	return resource.NewQuantity(*q.p, resource.BinarySI).String()
}

func (q *byteQuantity) Set(s string) error {
	v, err := resource.ParseQuantity(s)
	if err != nil {
		return fmt.Errorf("not a quantity of bytes (examples: 7Gi, 512Mi): %w", err)
	}
	if v.Sign() < 0 {
		return fmt.Errorf("must not be negative")
	}
	*q.p = v.Value()
	return nil
}

func (q *byteQuantity) Type() string { return "quantity" }
