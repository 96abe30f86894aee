package cilium

import (
	"context"
	"fmt"
	"runtime"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NetlinkProber probes the kernel over netlink inside a fresh, unnamed
// network namespace. The namespace has no name and no bind mount: it is
// gone as soon as its file descriptor is closed, so nothing is left behind,
// not even after a crash. The host's own interfaces are never touched.
type NetlinkProber struct{}

// Probe implements Prober.
func (NetlinkProber) Probe(ctx context.Context) (LinkProbe, error) {
	if err := ctx.Err(); err != nil {
		return LinkProbe{}, err
	}
	type result struct {
		p   LinkProbe
		err error
	}
	done := make(chan result, 1)
	go func() {
		// The namespace switch binds this OS thread; if switching back
		// fails the thread stays locked and Go discards it on exit.
		runtime.LockOSThread()
		p, err, restored := probeInNewNetns()
		if restored {
			runtime.UnlockOSThread()
		}
		done <- result{p, err}
	}()
	select {
	case r := <-done:
		return r.p, r.err
	case <-ctx.Done():
		return LinkProbe{}, ctx.Err()
	}
}

func probeInNewNetns() (p LinkProbe, err error, restored bool) {
	orig, err := netns.Get()
	if err != nil {
		return p, fmt.Errorf("current netns: %w", err), true
	}
	defer orig.Close()
	ns, err := netns.New() // unshare(CLONE_NEWNET) on this thread
	if err != nil {
		return p, fmt.Errorf("create netns: %w", err), true
	}
	defer ns.Close()
	// Back to the original namespace right away; work through a handle.
	if err := netns.Set(orig); err != nil {
		return p, fmt.Errorf("restore netns: %w", err), false
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return p, fmt.Errorf("netlink handle in scratch netns: %w", err), true
	}
	defer h.Close()
	return probeLinks(h), nil, true
}

func probeLinks(h *netlink.Handle) LinkProbe {
	var p LinkProbe
	if lo, err := h.LinkByName("lo"); err == nil {
		a := lo.Attrs()
		p.LoTSOMaxSize, p.LoGSOIPv4MaxSize, p.LoGROIPv4MaxSize = a.TSOMaxSize, a.GSOIPv4MaxSize, a.GROIPv4MaxSize
	}
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "perflab0"}, PeerName: "perflab1"}
	if err := h.LinkAdd(veth); err != nil {
		p.SetIPv6 = fmt.Errorf("create veth: %w", err)
		p.SetIPv4 = p.SetIPv6
	} else {
		p.SetIPv6 = setAndCheck(h, "perflab0", h.LinkSetGSOMaxSize, h.LinkSetGROMaxSize,
			func(a *netlink.LinkAttrs) (uint32, uint32) { return a.GSOMaxSize, a.GROMaxSize })
		p.SetIPv4 = setAndCheck(h, "perflab0", h.LinkSetGSOIPv4MaxSize, h.LinkSetGROIPv4MaxSize,
			func(a *netlink.LinkAttrs) (uint32, uint32) { return a.GSOIPv4MaxSize, a.GROIPv4MaxSize })
	}
	nk := &netlink.Netkit{LinkAttrs: netlink.LinkAttrs{Name: "perflab-nk0"}, Mode: netlink.NETKIT_MODE_L3,
		Policy: netlink.NETKIT_POLICY_FORWARD, PeerPolicy: netlink.NETKIT_POLICY_FORWARD}
	nk.SetPeerAttrs(&netlink.LinkAttrs{Name: "perflab-nk1"})
	if err := h.LinkAdd(nk); err != nil {
		if err == unix.EOPNOTSUPP {
			err = fmt.Errorf("%w (no netkit link type in this kernel)", err)
		}
		p.Netkit = fmt.Errorf("create netkit: %w", err)
	}
	return p
}

func setAndCheck(h *netlink.Handle, name string, setGSO, setGRO func(netlink.Link, int) error,
	read func(*netlink.LinkAttrs) (uint32, uint32)) error {
	l, err := h.LinkByName(name)
	if err != nil {
		return err
	}
	if err := setGSO(l, BigTCPGSOMaxSize); err != nil {
		return fmt.Errorf("gso: %w", err)
	}
	if err := setGRO(l, BigTCPGSOMaxSize); err != nil {
		return fmt.Errorf("gro: %w", err)
	}
	l, err = h.LinkByName(name)
	if err != nil {
		return err
	}
	gso, gro := read(l.Attrs())
	if gso != BigTCPGSOMaxSize || gro != BigTCPGSOMaxSize {
		return fmt.Errorf("kernel kept gso=%d gro=%d", gso, gro)
	}
	return nil
}
