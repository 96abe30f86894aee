package cilium

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDoctorRealKernel runs the probes on this machine and checks the
// report against facts read independently (uname, /proc/config.gz), not
// against fixed results.
func TestDoctorRealKernel(t *testing.T) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	release := unix.ByteSliceToString(u.Release[:])
	before, _ := net.Interfaces()
	rep, err := Doctor(context.Background(), NetlinkProber{}, release, nil)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := net.Interfaces()
	if len(before) != len(after) {
		t.Errorf("host interfaces changed: %d -> %d", len(before), len(after))
	}
	for _, i := range after {
		if strings.HasPrefix(i.Name, "perflab") {
			t.Errorf("probe link %s left in the host namespace", i.Name)
		}
	}
	if rep.Kernel != release {
		t.Errorf("kernel %q, uname %q", rep.Kernel, release)
	}
	kv, err := ParseKernelRelease(release)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]Check{}
	for _, c := range rep.Checks {
		checks[c.Name] = c
	}
	if _, probeFailed := checks["netlink probe"]; probeFailed {
		t.Logf("netlink probe unavailable: %s", checks["netlink probe"].Detail)
	}
	if c := checks["eBPF host routing (kernel)"]; c.OK != kv.AtLeast("5.10") {
		t.Errorf("host routing %+v for kernel %s", c, release)
	}
	// BIG TCP needs the kernel version; a newer kernel may still lack it
	// (then the probe says why), an older one never has it.
	if c := checks["BIG TCP IPv6"]; c.OK && !kv.AtLeast("5.19") {
		t.Errorf("BIG TCP IPv6 ok on %s", release)
	}
	if c := checks["BIG TCP IPv4"]; c.OK && !kv.AtLeast("6.3") {
		t.Errorf("BIG TCP IPv4 ok on %s", release)
	}
	nk := checks["netkit"]
	if val, err := KernelConfig("CONFIG_NETKIT", release); err == nil {
		want := kv.AtLeast("6.7") && (val == "y" || val == "m")
		if _, probeFailed := checks["netlink probe"]; !probeFailed && nk.OK != want {
			t.Errorf("netkit %+v, but kernel %s CONFIG_NETKIT=%q", nk, release, val)
		}
	}
	if !nk.OK && !strings.Contains(nk.Detail, NetkitFatal) {
		t.Errorf("netkit failure must quote the agent: %q", nk.Detail)
	}
	if n, err := LocalPossibleCPUs(); err != nil || rep.PossibleCPUs != n || n < 1 {
		t.Errorf("possible CPUs %d vs %d (%v)", rep.PossibleCPUs, n, err)
	}
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	t.Logf("doctor on this machine:\n%s", out.String())
}

func TestKernelRelease(t *testing.T) {
	for _, tt := range []struct {
		in        string
		at, notAt string
	}{
		{"6.10.14-linuxkit", "6.7", "6.11"},
		{"5.15.0-1034-aws", "5.10", "5.19"},
		{"6.18.44-fc-v595", "6.3", "7.0"},
	} {
		k, err := ParseKernelRelease(tt.in)
		if err != nil || !k.AtLeast(tt.at) || k.AtLeast(tt.notAt) {
			t.Errorf("%s: %+v %v", tt.in, k, err)
		}
	}
	if _, err := ParseKernelRelease("linux"); err == nil {
		t.Error("want error")
	}
	if n, err := ParseCPUList("0-3,8,10-11"); err != nil || n != 7 {
		t.Errorf("cpu list: %d %v", n, err)
	}
	if _, err := os.Stat("/proc/meminfo"); err == nil {
		if m, err := LocalMemTotal(); err != nil || m == 0 {
			t.Errorf("MemTotal %d %v", m, err)
		}
	}
}

func TestDoctorFailures(t *testing.T) {
	tests := []struct {
		name string
		rep  DoctorReport
		want []string
	}{
		{"all ok", DoctorReport{Checks: []Check{{Name: "netkit", OK: true}}}, nil},
		{"probe unavailable is a warning", DoctorReport{Checks: []Check{{Name: "netlink probe", Warning: true}, {Name: "netkit", OK: true}}}, nil},
		{"failed check", DoctorReport{Checks: []Check{{Name: "netkit"}, {Name: "BIG TCP IPv4", OK: true}}}, []string{"netkit"}},
		{"values helm refuses", DoctorReport{Values: []Finding{{Key: "a.b", Severity: "fail"}, {Key: "c", Severity: "unknown"}, {Key: "routingMode", Severity: "conflict"}}}, []string{"a.b", "routingMode"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.rep.Failures()
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Failures() = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRunDoctorExit runs the doctor on this machine with values that fail
// whatever the kernel: it must print the report and return ErrDoctorFailed.
func TestRunDoctorExit(t *testing.T) {
	var out bytes.Buffer
	err := RunDoctor(context.Background(), DoctorRunOptions{Sets: []string{"bpf.hostLegacyRouting=true"}}, &out)
	if !errors.Is(err, ErrDoctorFailed) || !strings.Contains(err.Error(), "eBPF host routing (config)") {
		t.Fatalf("RunDoctor = %v, want ErrDoctorFailed naming the host routing check", err)
	}
	if !strings.Contains(out.String(), "[FAIL] eBPF host routing (config)") {
		t.Errorf("report not printed before the error:\n%s", out.String())
	}
}
