package cilium

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Kernel feature thresholds and the agent's own messages (cilium v1.18.4):
//   - BIG TCP: pkg/datapath/linux/bigtcp/bigtcp.go probes "lo" for the
//     TSO max size attribute (IPv6, "needs kernel 5.19 or newer") and the
//     gso/gro_ipv4_max_size attributes (IPv4, "needs kernel 6.3 or newer")
//     and sets 196608 on the native devices;
//   - netkit: daemon/cmd/daemon_main.go stops with NetkitFatal when
//     probes.HaveNetkit fails;
//   - eBPF host routing: bpf_redirect_neigh()/bpf_redirect_peer() need Linux
//     5.10 (pkg/datapath/linux/requirements.go), and
//     daemon/cmd/kube_proxy_replacement.go falls back to legacy routing
//     without KPR=true, with iptables masquerading or with IPsec.
const (
	NetkitFatal       = "netkit devices need kernel 6.7.0 or newer and CONFIG_NETKIT"
	BigTCPGSOMaxSize  = 196608
	bigTCPIPv6Kernel  = "5.19"
	bigTCPIPv4Kernel  = "6.3"
	netkitKernel      = "6.7"
	hostRoutingKernel = "5.10"
)

// KernelVersion is a parsed `uname -r`.
type KernelVersion struct {
	Release             string
	Major, Minor, Patch int
}

// ParseKernelRelease parses "6.10.14-linuxkit" or "5.15.0-1034-aws".
func ParseKernelRelease(rel string) (KernelVersion, error) {
	k := KernelVersion{Release: rel}
	head := rel
	if i := strings.IndexFunc(rel, func(r rune) bool { return !(r == '.' || (r >= '0' && r <= '9')) }); i >= 0 {
		head = rel[:i]
	}
	parts := strings.Split(strings.Trim(head, "."), ".")
	if len(parts) < 2 {
		return k, fmt.Errorf("kernel release %q: want major.minor[.patch]", rel)
	}
	nums := []*int{&k.Major, &k.Minor, &k.Patch}
	for i := 0; i < len(parts) && i < 3; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return k, fmt.Errorf("kernel release %q: %q is not a number", rel, parts[i])
		}
		*nums[i] = n
	}
	return k, nil
}

// AtLeast reports whether k >= "major.minor".
func (k KernelVersion) AtLeast(v string) bool {
	want, err := ParseKernelRelease(v)
	if err != nil {
		return false
	}
	if k.Major != want.Major {
		return k.Major > want.Major
	}
	return k.Minor >= want.Minor
}

// Check is one doctor line. A Warning is shown but never fails the doctor.
type Check struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"`
	Warning bool   `json:"warning,omitempty"`
}

// ErrDoctorFailed is returned by RunDoctor after the report when a check
// FAILed or a Helm value would make helm or the agent refuse the install.
var ErrDoctorFailed = errors.New("cilium doctor found failures")

// DoctorReport is what `perflab cilium doctor` found.
type DoctorReport struct {
	Kernel       string    `json:"kernel"`
	PossibleCPUs int       `json:"possibleCPUs"`
	MemTotal     uint64    `json:"memTotalBytes"`
	Checks       []Check   `json:"checks"`
	Values       []Finding `json:"values,omitempty"`
}

// LinkProbe is what a netlink probe inside a scratch network namespace saw.
type LinkProbe struct {
	LoTSOMaxSize     uint32 // IFLA_TSO_MAX_SIZE of lo (0 = attribute absent)
	LoGSOIPv4MaxSize uint32 // IFLA_GSO_IPV4_MAX_SIZE of lo
	LoGROIPv4MaxSize uint32
	// SetIPv6/SetIPv4 are the errors setting gso/gro max size to 196608
	// on a veth in the namespace (nil = accepted and read back).
	SetIPv6, SetIPv4 error
	// Netkit is the error creating a netkit pair (nil = supported).
	Netkit error
}

// Prober runs the kernel probes; the Linux one uses netlink in a network
// namespace it creates and deletes.
type Prober interface {
	// Probe must leave no namespace or link behind, also on error.
	Probe(ctx context.Context) (LinkProbe, error)
}

// Doctor checks this machine. values may be nil.
func Doctor(ctx context.Context, p Prober, release string, values Values) (*DoctorReport, error) {
	kv, err := ParseKernelRelease(release)
	if err != nil {
		return nil, err
	}
	rep := &DoctorReport{Kernel: release}
	if n, err := LocalPossibleCPUs(); err == nil {
		rep.PossibleCPUs = n
	}
	if m, err := LocalMemTotal(); err == nil {
		rep.MemTotal = m
	}
	probe, perr := p.Probe(ctx)
	if perr != nil {
		rep.Checks = append(rep.Checks, Check{Name: "netlink probe", Detail: perr.Error() + " (needs CAP_NET_ADMIN and CAP_SYS_ADMIN; kernel-version checks below only)", Warning: true})
	}
	add := func(name string, ok bool, format string, a ...any) {
		rep.Checks = append(rep.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, a...)})
	}
	// BIG TCP IPv6.
	v6 := kv.AtLeast(bigTCPIPv6Kernel)
	if perr == nil {
		v6 = probe.LoTSOMaxSize > 0 && probe.SetIPv6 == nil
		add("BIG TCP IPv6", v6, "kernel %s (needs %s); lo tso_max_size=%d; setting gso/gro_max_size=%d on a veth: %s",
			release, bigTCPIPv6Kernel, probe.LoTSOMaxSize, BigTCPGSOMaxSize, errText(probe.SetIPv6))
	} else {
		add("BIG TCP IPv6", v6, "kernel %s (needs %s)", release, bigTCPIPv6Kernel)
	}
	v4 := kv.AtLeast(bigTCPIPv4Kernel)
	if perr == nil {
		v4 = probe.LoGSOIPv4MaxSize > 0 && probe.LoGROIPv4MaxSize > 0 && probe.SetIPv4 == nil
		add("BIG TCP IPv4", v4, "kernel %s (needs %s); lo gso_ipv4_max_size=%d gro_ipv4_max_size=%d; setting them to %d on a veth: %s",
			release, bigTCPIPv4Kernel, probe.LoGSOIPv4MaxSize, probe.LoGROIPv4MaxSize, BigTCPGSOMaxSize, errText(probe.SetIPv4))
	} else {
		add("BIG TCP IPv4", v4, "kernel %s (needs %s)", release, bigTCPIPv4Kernel)
	}
	// netkit.
	cfgVal, cfgErr := KernelConfig("CONFIG_NETKIT", release)
	nk := kv.AtLeast(netkitKernel) && (cfgErr != nil || cfgVal == "y" || cfgVal == "m")
	detail := fmt.Sprintf("kernel %s (needs %s); CONFIG_NETKIT=%s", release, netkitKernel, orUnknown(cfgVal, cfgErr))
	if perr == nil {
		nk = probe.Netkit == nil
		detail += "; creating a netkit pair: " + errText(probe.Netkit)
	}
	if !nk {
		detail += fmt.Sprintf("; with bpf.datapathMode=netkit the agent stops with %q", NetkitFatal)
	}
	add("netkit", nk, "%s", detail)
	// eBPF host routing.
	hr := kv.AtLeast(hostRoutingKernel)
	add("eBPF host routing (kernel)", hr, "kernel %s (bpf_redirect_neigh/bpf_redirect_peer need %s)", release, hostRoutingKernel)
	if values != nil {
		rep.Checks = append(rep.Checks, hostRoutingConfig(values)...)
		rep.Values = CheckValues(values)
	} else {
		add("eBPF host routing (config)", true, "also needs kubeProxyReplacement=true, bpf.masquerade=true (or no masquerading) and no IPsec; pass -f values.yaml to check")
	}
	return rep, nil
}

func hostRoutingConfig(v Values) []Check {
	var out []Check
	if x, ok := v.Lookup("bpf.hostLegacyRouting"); ok && helmScalar(x) == "true" {
		return []Check{{Name: "eBPF host routing (config)", Detail: "bpf.hostLegacyRouting=true forces legacy routing"}}
	}
	if x, _ := v.Lookup("encryption.enabled"); helmScalar(x) == "true" {
		if t, _ := v.Lookup("encryption.type"); helmScalar(t) == "" || helmScalar(t) == "ipsec" {
			out = append(out, Check{Name: "eBPF host routing (config)", Detail: `IPsec: "BPF host routing is incompatible with enable-ipsec." (falls back to legacy host routing)`})
		}
	}
	if bm, _ := v.Lookup("bpf.masquerade"); helmScalar(bm) != "true" && ipv4Masq(v) {
		out = append(out, Check{Name: "eBPF host routing (config)", Detail: `iptables masquerading: "BPF host routing requires enable-bpf-masquerade." — set bpf.masquerade=true`})
	}
	if kpr, _ := v.Lookup("kubeProxyReplacement"); helmScalar(kpr) != "true" {
		out = append(out, Check{Name: "eBPF host routing (config)", Detail: `"BPF host routing requires kube-proxy-replacement=true." — set kubeProxyReplacement=true`})
	}
	if len(out) == 0 {
		out = append(out, Check{Name: "eBPF host routing (config)", OK: true, Detail: "kubeProxyReplacement=true, BPF masquerading, no IPsec"})
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func orUnknown(v string, err error) string {
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	if v == "" {
		return "not set"
	}
	return v
}

// KernelConfig returns the value of a CONFIG_ option from /proc/config.gz or
// /boot/config-<release>; "" when the option is not set.
func KernelConfig(option, release string) (string, error) {
	var r io.Reader
	if f, err := os.Open("/proc/config.gz"); err == nil {
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return "", fmt.Errorf("/proc/config.gz: %w", err)
		}
		r = gz
	} else if raw, err := os.ReadFile("/boot/config-" + release); err == nil {
		r = bytes.NewReader(raw)
	} else {
		return "", fmt.Errorf("no /proc/config.gz or /boot/config-%s", release)
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), option+"="); ok {
			return v, nil
		}
	}
	return "", sc.Err()
}

// LocalPossibleCPUs counts /sys/devices/system/cpu/possible ("0-7", "0,2-3").
func LocalPossibleCPUs() (int, error) {
	raw, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return 0, err
	}
	return ParseCPUList(strings.TrimSpace(string(raw)))
}

// ParseCPUList counts the CPUs in a kernel CPU list.
func ParseCPUList(s string) (int, error) {
	n := 0
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0, fmt.Errorf("cpu list %q: %q is not a number", s, lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0, fmt.Errorf("cpu list %q: bad range %q", s, part)
			}
		}
		n += b - a + 1
	}
	return n, nil
}

// LocalMemTotal reads MemTotal from /proc/meminfo, in bytes.
func LocalMemTotal() (uint64, error) {
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			return ParseMemory(v)
		}
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemTotal line")
}

// Failures names what fails the doctor: checks that are not ok (warnings
// aside) and Helm values with which helm or the agent refuses the install
// (severity fail or conflict; unknown keys are only reported).
func (r *DoctorReport) Failures() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK && !c.Warning {
			out = append(out, c.Name)
		}
	}
	for _, f := range r.Values {
		if f.Severity == "fail" || f.Severity == "conflict" {
			out = append(out, f.Key)
		}
	}
	return out
}

// WriteText prints the doctor report.
func (r *DoctorReport) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "kernel %s, %d possible CPUs, MemTotal %s\n", r.Kernel, r.PossibleCPUs, FormatBytes(r.MemTotal))
	for _, c := range r.Checks {
		mark := "ok  "
		switch {
		case c.Warning:
			mark = "warn"
		case !c.OK:
			mark = "FAIL"
		}
		fmt.Fprintf(w, "[%s] %s: %s\n", mark, c.Name, c.Detail)
	}
	if len(r.Values) > 0 {
		fmt.Fprintf(w, "\nHelm values (chart %s):\n", ChartVersion)
	}
	for _, f := range r.Values {
		fmt.Fprintf(w, "  %-8s %s: %s", f.Severity, f.Key, f.Message)
		if f.Hint != "" {
			fmt.Fprintf(w, "\n           -> %s", f.Hint)
		}
		fmt.Fprintln(w)
	}
	return nil
}
