package cluster

import (
	"context"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// NodeSpec is the shape of every hollow node.
type NodeSpec struct {
	MaxPods int    `json:"maxPods"`
	CPU     string `json:"cpu"`
	Memory  string `json:"memory"`
	// Taints are set on the node at creation (for dedicating nodes).
	Taints []corev1.Taint `json:"taints,omitempty"`
}

const (
	// NodeNamePrefix starts every hollow node's name: perflab-node-0, -1...
	NodeNamePrefix = "perflab-node-"
	// HollowNodeLabel marks nodes perflab created (value "true").
	HollowNodeLabel = "perflab.io/hollow-node"
	// WorkerRoleLabel is the worker role label every hollow node carries.
	WorkerRoleLabel = "node-role.kubernetes.io/worker"
	// kwokAnnotation is the annotation kwok's controllers manage nodes by.
	kwokAnnotation = "kwok.x-k8s.io/node"
	kwokSelector   = kwokAnnotation + "=fake"
)

// podCIDRBase holds every node's pod CIDR; nodeIPBase every node's
// (never routed) InternalIP. Simulated pods carry no traffic.
var (
	podCIDRBase = netip.MustParsePrefix("10.128.0.0/9")
	nodeIPBase  = netip.MustParseAddr("10.127.0.0")
)

// nodeHostBits is the size of a node's pod CIDR: room for maxPods plus the
// network and broadcast addresses, at least a /24.
func nodeHostBits(maxPods int) int {
	return max(8, bits.Len(uint(maxPods+1)))
}

// podCIDRs returns n pod CIDRs sized for maxPods that overlap none of used
// (the existing nodes' CIDRs): consecutive blocks after the highest used
// address, each aligned to its size. Allocating by node number instead
// (block i of the current size) let a node added with a smaller --max-pods
// land inside an earlier node's larger block.
func podCIDRs(used []string, n, maxPods int) ([]netip.Prefix, error) {
	hb := nodeHostBits(maxPods)
	size := uint64(1) << hb
	base := uint64(addrToUint32(podCIDRBase.Addr()))
	end := base + uint64(1)<<(32-podCIDRBase.Bits())
	next := base
	for _, s := range used {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() || !podCIDRBase.Overlaps(p) {
			continue
		}
		last := uint64(addrToUint32(p.Masked().Addr())) + uint64(1)<<(32-p.Bits())
		next = max(next, last)
	}
	next = (next + size - 1) &^ (size - 1)
	out := make([]netip.Prefix, n)
	for k := range n {
		start := next + uint64(k)*size
		if start+size > end {
			return nil, fmt.Errorf("no pod CIDR left in %s for %d more /%d blocks", podCIDRBase, n-k, 32-hb)
		}
		out[k] = netip.PrefixFrom(uint32ToAddr(uint32(start)), 32-hb)
	}
	return out, nil
}

func addrToUint32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func uint32ToAddr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func nodeIP(i int) netip.Addr {
	return uint32ToAddr(addrToUint32(nodeIPBase) + uint32(i+1))
}

// newNode builds hollow node i: kwok's annotation, a pod CIDR, and
// capacity/allocatable set at creation so the scheduler sees them at once.
func newNode(i int, cidr netip.Prefix, spec NodeSpec) (*corev1.Node, error) {
	res, err := nodeResources(spec)
	if err != nil {
		return nil, err
	}
	name := NodeNamePrefix + strconv.Itoa(i)
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{kwokAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{
				HollowNodeLabel:          "true",
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
				// Workload configs written for kube-burner pin pods to
				// workers with this selector; hollow nodes are workers.
				WorkerRoleLabel: "",
			},
		},
		Spec: corev1.NodeSpec{PodCIDR: cidr.String(), PodCIDRs: []string{cidr.String()}, Taints: spec.Taints},
		Status: corev1.NodeStatus{
			Capacity:    res,
			Allocatable: res.DeepCopy(),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: nodeIP(i).String()},
				{Type: corev1.NodeHostName, Address: name},
			},
		},
	}, nil
}

// CreateNodes adds n hollow nodes after the highest-numbered existing one.
// A running cluster's kwok controllers pick them up by their annotation, so
// this works from any process holding a kubeconfig of the cluster.
func CreateNodes(ctx context.Context, c kubernetes.Interface, n int, spec NodeSpec) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	// Every node, not only hollow ones: no pod CIDR may overlap another's.
	list, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	next := 0
	var used []string
	for _, nd := range list.Items {
		if i, err := strconv.Atoi(strings.TrimPrefix(nd.Name, NodeNamePrefix)); err == nil && i >= next {
			next = i + 1
		}
		used = append(used, nd.Spec.PodCIDRs...)
		if nd.Spec.PodCIDR != "" {
			used = append(used, nd.Spec.PodCIDR)
		}
	}
	cidrs, err := podCIDRs(used, n, spec.MaxPods)
	if err != nil {
		return nil, err
	}
	names := make([]string, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for k := range n {
		node, err := newNode(next+k, cidrs[k], spec)
		if err != nil {
			return nil, err
		}
		names[k] = node.Name
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				errs[k] = fmt.Errorf("create node %s: %w", node.Name, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return names, err
		}
	}
	return names, nil
}
