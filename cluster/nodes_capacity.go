package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// updateNodeCapacity sets every hollow node's capacity and allocatable to
// spec, so a restart with another --max-pods (or --node-cpu, --node-memory)
// changes the existing nodes in place, as raising a kubelet's maxPods does.
// It returns how many nodes changed. A node's pod CIDR cannot change; when
// it is smaller than the new maxPods, kwok reuses pod IPs past its end, and
// a warning says so.
func updateNodeCapacity(ctx context.Context, c kubernetes.Interface, spec NodeSpec) (int, error) {
	want, err := nodeResources(spec)
	if err != nil {
		return 0, err
	}
	list, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: HollowNodeLabel + "=true"})
	if err != nil {
		return 0, fmt.Errorf("list nodes: %w", err)
	}
	changed := 0
	for _, nd := range list.Items {
		if sameResources(nd.Status.Capacity, want) && sameResources(nd.Status.Allocatable, want) {
			continue
		}
		if p, err := netip.ParsePrefix(nd.Spec.PodCIDR); err == nil && uint64(spec.MaxPods)+2 > uint64(1)<<(32-p.Bits()) {
			slog.Warn("node's pod CIDR is smaller than --max-pods; pod IPs past its end repeat", "node", nd.Name, "podCIDR", nd.Spec.PodCIDR, "maxPods", spec.MaxPods)
		}
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			cur, err := c.CoreV1().Nodes().Get(ctx, nd.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, l := range []*corev1.ResourceList{&cur.Status.Capacity, &cur.Status.Allocatable} {
				if *l == nil {
					*l = corev1.ResourceList{}
				}
				for k, v := range want {
					(*l)[k] = v
				}
			}
			_, err = c.CoreV1().Nodes().UpdateStatus(ctx, cur, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			return changed, fmt.Errorf("update capacity of node %s: %w", nd.Name, err)
		}
		changed++
	}
	return changed, nil
}

// nodeResources is a node's capacity for spec.
func nodeResources(spec NodeSpec) (corev1.ResourceList, error) {
	cpu, err := resource.ParseQuantity(spec.CPU)
	if err != nil {
		return nil, fmt.Errorf("node cpu %q: %w", spec.CPU, err)
	}
	mem, err := resource.ParseQuantity(spec.Memory)
	if err != nil {
		return nil, fmt.Errorf("node memory %q: %w", spec.Memory, err)
	}
	return corev1.ResourceList{
		corev1.ResourceCPU:    cpu,
		corev1.ResourceMemory: mem,
		corev1.ResourcePods:   *resource.NewQuantity(int64(spec.MaxPods), resource.DecimalSI),
	}, nil
}

func sameResources(have, want corev1.ResourceList) bool {
	for k, v := range want {
		if h, ok := have[k]; !ok || h.Cmp(v) != 0 {
			return false
		}
	}
	return true
}
