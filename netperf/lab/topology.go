package lab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync/atomic"

	"github.com/vishvananda/netlink"
)

// TopologyOptions shape the namespace lab.
type TopologyOptions struct {
	MTU         int // veth MTU; 0 = 1500
	PodsPerNode []int
}

// Node is a node namespace: the "host" of its pods.
type Node struct {
	Index    int
	NS       *namespace
	Underlay netip.Addr // on eth0, the node-to-node veth
	PodCIDR  netip.Prefix
	Gateway  netip.Addr // on every lxc veth of the node, the pods' default gateway
	handle   *netlink.Handle
	lxcs     []string
}

// Pod is a pod namespace attached to its node by a veth pair (lxcN ↔ eth0).
type Pod struct {
	Index  int
	Node   *Node
	NS     *namespace
	Addr   netip.Addr
	Lxc    string // node side of the veth
	handle *netlink.Handle
}

// Topology is a built lab. Close it to delete everything.
type Topology struct {
	Prefix string
	MTU    int
	Nodes  []*Node
	Pods   []*Pod
	closed bool
}

var seq atomic.Int64

// Addresses below (10.255.0.0/24 underlay, 10.244.<node>.0/24 pods) exist only
// inside the namespaces this package creates; nothing is configured in the
// caller's namespace.
func underlayAddr(node int) netip.Addr { return netip.AddrFrom4([4]byte{10, 255, 0, byte(node)}) }
func podCIDR(node int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 244, byte(node), 0}), 24)
}
func podAddr(node, pod int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, 244, byte(node), byte(10 + pod)})
}
func gateway(node int) netip.Addr { return netip.AddrFrom4([4]byte{10, 244, byte(node), 1}) }

// Build creates two node namespaces (pods per node default 2 and 1) and
// wires them. On error or cancellation everything made so far is deleted.
func Build(ctx context.Context, o TopologyOptions) (_ *Topology, err error) {
	if o.MTU == 0 {
		o.MTU = 1500
	}
	if o.MTU < 576 || o.MTU > 65535 {
		return nil, fmt.Errorf("--mtu %d: want 576..65535", o.MTU)
	}
	if len(o.PodsPerNode) == 0 {
		o.PodsPerNode = []int{2, 1}
	}
	t := &Topology{Prefix: fmt.Sprintf("perflab-%d-%d", os.Getpid(), seq.Add(1)), MTU: o.MTU}
	defer func() {
		if err != nil {
			if cerr := t.Close(); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
	}()
	for i := range o.PodsPerNode {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := &Node{Index: i + 1, Underlay: underlayAddr(i + 1), PodCIDR: podCIDR(i + 1), Gateway: gateway(i + 1)}
		if n.NS, n.handle, err = t.newNS(fmt.Sprintf("%s-node%d", t.Prefix, n.Index)); err != nil {
			return nil, err
		}
		t.Nodes = append(t.Nodes, n)
	}
	for i, count := range o.PodsPerNode {
		for j := 1; j <= count; j++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			node := t.Nodes[i]
			p := &Pod{Index: j, Node: node, Addr: podAddr(node.Index, j), Lxc: fmt.Sprintf("lxc%d", j)}
			if p.NS, p.handle, err = t.newNS(fmt.Sprintf("%s-node%d-pod%d", t.Prefix, node.Index, j)); err != nil {
				return nil, err
			}
			t.Pods = append(t.Pods, p)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.wire(); err != nil {
		return nil, err
	}
	slog.Info("lab topology ready", "prefix", t.Prefix, "nodes", len(t.Nodes), "pods", len(t.Pods), "mtu", t.MTU)
	return t, nil
}

func (t *Topology) newNS(name string) (*namespace, *netlink.Handle, error) {
	ns, err := createNamespace(name)
	if err != nil {
		return nil, nil, err
	}
	h, err := netlink.NewHandleAt(ns.handle)
	if err != nil {
		_ = deleteNamespace(ns)
		return nil, nil, fmt.Errorf("netlink in %s: %w", name, err)
	}
	lo, err := h.LinkByName("lo")
	if err == nil {
		err = h.LinkSetUp(lo)
	}
	if err != nil {
		h.Close()
		_ = deleteNamespace(ns)
		return nil, nil, fmt.Errorf("%s: bring up lo: %w", name, err)
	}
	return ns, h, nil
}

// wire creates the veths, addresses and routes.
func (t *Topology) wire() error {
	// Underlay: a chain node1-eth0 ↔ node2-eth0 (two nodes; more would need a bridge).
	if len(t.Nodes) != 2 {
		return fmt.Errorf("the lab wires exactly 2 nodes, got %d", len(t.Nodes))
	}
	n1, n2 := t.Nodes[0], t.Nodes[1]
	if err := t.vethPair(n1.handle, "eth0", n2, "eth0"); err != nil {
		return fmt.Errorf("underlay veth: %w", err)
	}
	for _, n := range t.Nodes {
		if err := addAddr(n.handle, "eth0", netip.PrefixFrom(n.Underlay, 24)); err != nil {
			return fmt.Errorf("%s: %w", n.NS, err)
		}
		if err := n.NS.sysctl("net/ipv4/ip_forward", "1"); err != nil {
			return fmt.Errorf("%s: ip_forward: %w", n.NS, err)
		}
	}
	for _, p := range t.Pods {
		n := p.Node
		if err := t.vethPair(n.handle, p.Lxc, p, "eth0"); err != nil {
			return fmt.Errorf("pod veth %s: %w", p.NS, err)
		}
		n.lxcs = append(n.lxcs, p.Lxc)
		if err := addAddr(n.handle, p.Lxc, netip.PrefixFrom(n.Gateway, 32)); err != nil {
			return fmt.Errorf("%s: %w", n.NS, err)
		}
		if err := addRoute(n.handle, p.Lxc, netip.PrefixFrom(p.Addr, 32), netip.Addr{}); err != nil {
			return fmt.Errorf("%s: route to %s: %w", n.NS, p.Addr, err)
		}
		if err := addAddr(p.handle, "eth0", netip.PrefixFrom(p.Addr, 32)); err != nil {
			return fmt.Errorf("%s: %w", p.NS, err)
		}
		if err := addRoute(p.handle, "eth0", netip.PrefixFrom(n.Gateway, 32), netip.Addr{}); err != nil {
			return fmt.Errorf("%s: gateway route: %w", p.NS, err)
		}
		if err := addRoute(p.handle, "eth0", netip.Prefix{}, n.Gateway); err != nil {
			return fmt.Errorf("%s: default route: %w", p.NS, err)
		}
	}
	// Pod CIDR routes between the nodes.
	for _, n := range t.Nodes {
		for _, o := range t.Nodes {
			if o != n {
				if err := addRoute(n.handle, "eth0", o.PodCIDR, o.Underlay); err != nil {
					return fmt.Errorf("%s: route to %s: %w", n.NS, o.PodCIDR, err)
				}
			}
		}
	}
	return nil
}

// peer is a namespace with a netlink handle: a Node or a Pod.
type peer interface {
	ns() *namespace
	nl() *netlink.Handle
}

func (n *Node) ns() *namespace      { return n.NS }
func (n *Node) nl() *netlink.Handle { return n.handle }
func (p *Pod) ns() *namespace       { return p.NS }
func (p *Pod) nl() *netlink.Handle  { return p.handle }

// vethPair creates name in h's namespace with its peer peerName in p's
// namespace, sets the MTU on both ends and brings them up.
func (t *Topology) vethPair(h *netlink.Handle, name string, p peer, peerName string) error {
	v := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: name, MTU: t.MTU},
		PeerName:      peerName,
		PeerMTU:       uint32(t.MTU),
		PeerNamespace: netlink.NsFd(int(p.ns().handle)),
	}
	if err := h.LinkAdd(v); err != nil {
		return fmt.Errorf("add veth %s/%s: %w", name, peerName, err)
	}
	for _, end := range []struct {
		h    *netlink.Handle
		name string
	}{{h, name}, {p.nl(), peerName}} {
		l, err := end.h.LinkByName(end.name)
		if err != nil {
			return err
		}
		if l.Attrs().MTU != t.MTU {
			if err := end.h.LinkSetMTU(l, t.MTU); err != nil {
				return fmt.Errorf("%s mtu %d: %w", end.name, t.MTU, err)
			}
		}
		if err := end.h.LinkSetUp(l); err != nil {
			return fmt.Errorf("%s up: %w", end.name, err)
		}
	}
	return nil
}

func addAddr(h *netlink.Handle, dev string, p netip.Prefix) error {
	l, err := h.LinkByName(dev)
	if err != nil {
		return err
	}
	ip := net.IP(p.Addr().AsSlice())
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: net.CIDRMask(p.Bits(), 32)}}
	if err := h.AddrAdd(l, addr); err != nil {
		return fmt.Errorf("add %s to %s: %w", p, dev, err)
	}
	return nil
}

// addRoute adds dst (zero = default) via gw (zero = on-link) on dev.
func addRoute(h *netlink.Handle, dev string, dst netip.Prefix, gw netip.Addr) error {
	l, err := h.LinkByName(dev)
	if err != nil {
		return err
	}
	r := &netlink.Route{LinkIndex: l.Attrs().Index}
	if dst.IsValid() {
		r.Dst = &net.IPNet{IP: net.IP(dst.Addr().AsSlice()), Mask: net.CIDRMask(dst.Bits(), 32)}
	}
	if gw.IsValid() {
		r.Gw = net.IP(gw.AsSlice())
	} else {
		r.Scope = netlink.SCOPE_LINK
	}
	return h.RouteAdd(r)
}

// Namespaces lists every namespace of the topology.
func (t *Topology) Namespaces() []string {
	var out []string
	for _, n := range t.Nodes {
		out = append(out, n.NS.name)
	}
	for _, p := range t.Pods {
		out = append(out, p.NS.name)
	}
	return out
}

// Close deletes every veth and namespace of the topology. It is idempotent
// and keeps going after errors, returning them all.
func (t *Topology) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	var errs []error
	// Deleting one end of a veth deletes the pair; delete from the node side.
	for _, n := range t.Nodes {
		if n.handle == nil {
			continue
		}
		for _, name := range append([]string{"eth0"}, n.lxcs...) {
			if l, err := n.handle.LinkByName(name); err == nil {
				if err := n.handle.LinkDel(l); err != nil {
					errs = append(errs, fmt.Errorf("%s: delete %s: %w", n.NS, name, err))
				}
			}
		}
	}
	for _, p := range t.Pods {
		if p.handle != nil {
			p.handle.Close()
		}
		if p.NS != nil {
			errs = append(errs, deleteNamespace(p.NS))
		}
	}
	for _, n := range t.Nodes {
		if n.handle != nil {
			n.handle.Close()
		}
		if n.NS != nil {
			errs = append(errs, deleteNamespace(n.NS))
		}
	}
	err := errors.Join(errs...)
	if err == nil {
		slog.Info("lab topology deleted", "prefix", t.Prefix)
	}
	return err
}
