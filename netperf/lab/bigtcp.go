package lab

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// BIG TCP sizes: the classic 64K GSO/GRO limit and the 192K Cilium uses.
const (
	GSOSizeDefault = 65536
	GSOSizeBigTCP  = 196608
)

// kernel versions that introduced BIG TCP.
var (
	bigTCPv6 = kernelVersion{5, 19} // gso_max_size/gro_max_size above 64K (IPv6)
	bigTCPv4 = kernelVersion{6, 3}  // gso_ipv4_max_size/gro_ipv4_max_size
)

type kernelVersion struct{ major, minor int }

func (k kernelVersion) atLeast(o kernelVersion) bool {
	return k.major > o.major || (k.major == o.major && k.minor >= o.minor)
}

func (k kernelVersion) String() string { return fmt.Sprintf("%d.%d", k.major, k.minor) }

// parseKernel reads "6.18.44-fc-v595" as 6.18.
func parseKernel(release string) (kernelVersion, error) {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return kernelVersion{}, fmt.Errorf("kernel release %q: want major.minor", release)
	}
	major, err1 := strconv.Atoi(parts[0])
	minorStr := parts[1]
	if i := strings.IndexFunc(minorStr, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minorStr = minorStr[:i]
	}
	minor, err2 := strconv.Atoi(minorStr)
	if err1 != nil || err2 != nil {
		return kernelVersion{}, fmt.Errorf("kernel release %q: want major.minor", release)
	}
	return kernelVersion{major, minor}, nil
}

func runningKernel() (string, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", err
	}
	return unix.ByteSliceToString(u.Release[:]), nil
}

// BigTCPSupport says which BIG TCP knobs a kernel has; Skip explains what is
// missing ("" when both are there).
type BigTCPSupport struct {
	Kernel string
	IPv6   bool
	IPv4   bool
	Skip   string
}

// CheckBigTCP reports BIG TCP support for a kernel release.
func CheckBigTCP(release string) BigTCPSupport {
	s := BigTCPSupport{Kernel: release}
	k, err := parseKernel(release)
	if err != nil {
		s.Skip = err.Error()
		return s
	}
	s.IPv6, s.IPv4 = k.atLeast(bigTCPv6), k.atLeast(bigTCPv4)
	switch {
	case !s.IPv6:
		s.Skip = fmt.Sprintf("BIG TCP skipped: IPv6 BIG TCP needs Linux %s and IPv4 BIG TCP needs Linux %s; this kernel is %s", bigTCPv6, bigTCPv4, release)
	case !s.IPv4:
		s.Skip = fmt.Sprintf("BIG TCP skipped: the lab runs IPv4, and IPv4 BIG TCP (gso_ipv4_max_size) needs Linux %s; this kernel is %s (IPv6 BIG TCP, Linux %s, is available)", bigTCPv4, release, bigTCPv6)
	}
	return s
}

// LinkGSO is one veth end's GSO/GRO limits as read back over netlink.
type LinkGSO struct {
	Namespace string `json:"namespace"`
	Link      string `json:"link"`
	GSOMax    uint32 `json:"gsoMaxSize"`
	GROMax    uint32 `json:"groMaxSize"`
	GSOIPv4   uint32 `json:"gsoIPv4MaxSize"`
	GROIPv4   uint32 `json:"groIPv4MaxSize"`
}

// SetGSO sets gso_max_size, gro_max_size, gso_ipv4_max_size and
// gro_ipv4_max_size to size on every veth end of the topology over netlink,
// then reads each back and fails if one differs.
func (t *Topology) SetGSO(size int) ([]LinkGSO, error) {
	var out []LinkGSO
	each := func(ns *namespace, h *netlink.Handle, names []string) error {
		for _, name := range names {
			l, err := h.LinkByName(name)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", ns, name, err)
			}
			for _, set := range []struct {
				what string
				f    func(netlink.Link, int) error
			}{
				{"gso_max_size", h.LinkSetGSOMaxSize},
				{"gro_max_size", h.LinkSetGROMaxSize},
				{"gso_ipv4_max_size", h.LinkSetGSOIPv4MaxSize},
				{"gro_ipv4_max_size", h.LinkSetGROIPv4MaxSize},
			} {
				if err := set.f(l, size); err != nil {
					return fmt.Errorf("%s/%s: set %s %d: %w", ns, name, set.what, size, err)
				}
			}
			l, err = h.LinkByName(name)
			if err != nil {
				return fmt.Errorf("%s/%s: read back: %w", ns, name, err)
			}
			a := l.Attrs()
			got := LinkGSO{Namespace: ns.name, Link: name, GSOMax: a.GSOMaxSize, GROMax: a.GROMaxSize, GSOIPv4: a.GSOIPv4MaxSize, GROIPv4: a.GROIPv4MaxSize}
			if got.GSOMax != uint32(size) || got.GROMax != uint32(size) || got.GSOIPv4 != uint32(size) || got.GROIPv4 != uint32(size) {
				return fmt.Errorf("%s/%s: set %d, read back gso %d gro %d gso_ipv4 %d gro_ipv4 %d", ns, name, size, got.GSOMax, got.GROMax, got.GSOIPv4, got.GROIPv4)
			}
			out = append(out, got)
		}
		return nil
	}
	for _, n := range t.Nodes {
		if err := each(n.NS, n.handle, append([]string{"eth0"}, n.lxcs...)); err != nil {
			return out, err
		}
	}
	for _, p := range t.Pods {
		if err := each(p.NS, p.handle, []string{"eth0"}); err != nil {
			return out, err
		}
	}
	return out, nil
}
