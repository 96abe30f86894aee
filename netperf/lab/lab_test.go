package lab

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/perflab/perflab/netperf"
)

// childEnv makes the test binary act as the lab's server process.
const childEnv = "PERFLAB_LAB_TEST_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		fs := flag.NewFlagSet("server", flag.ExitOnError)
		bind := fs.String("bind", "", "")
		port := fs.Int("port", 0, "")
		_ = fs.Parse(os.Args[1:])
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := netperf.ListenAndServe(ctx, netperf.ServerOptions{Bind: *bind, Port: *port, Token: os.Getenv(netperf.TokenEnv)})
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testServer re-executes the test binary as the server process (see TestMain).
func testServer(bind string, port int) (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "-bind", bind, "-port", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), childEnv+"=1")
	return cmd, nil
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the namespace lab needs root (CI runs as root)")
	}
}

// assertGone fails if any namespace of this process is still mounted.
func assertGone(t *testing.T, names ...string) {
	t.Helper()
	owned, err := Owned()
	if err != nil {
		t.Fatal(err)
	}
	if len(owned) > 0 {
		t.Errorf("namespaces left behind: %v", owned)
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(netnsDir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("namespace %s still exists (%v)", n, err)
		}
	}
}

func TestTopology(t *testing.T) {
	needRoot(t)
	topo, err := Build(context.Background(), TopologyOptions{MTU: 9000})
	if err != nil {
		t.Fatal(err)
	}
	names := topo.Namespaces()
	if len(names) != 5 {
		t.Fatalf("namespaces %v, want 2 nodes + 3 pods", names)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "perflab-") {
			t.Errorf("namespace %s lacks the perflab- prefix", n)
		}
		if _, err := os.Stat(filepath.Join(netnsDir, n)); err != nil {
			t.Errorf("namespace %s not mounted: %v", n, err)
		}
	}
	for _, p := range topo.Pods {
		l, err := p.handle.LinkByName("eth0")
		if err != nil {
			t.Fatalf("%s: %v", p.NS, err)
		}
		if l.Attrs().MTU != 9000 {
			t.Errorf("%s eth0 MTU %d, want 9000", p.NS, l.Attrs().MTU)
		}
	}
	// Every scenario's path carries a TCP connection (addresses live only in our namespaces).
	for _, sc := range Scenarios() {
		ep, err := topo.endpoints(sc)
		if err != nil {
			t.Fatal(err)
		}
		var ln net.Listener
		if err := ep.server.do(func() (err error) {
			ln, err = net.Listen("tcp", net.JoinHostPort(ep.serverAddr.String(), "0"))
			return err
		}); err != nil {
			t.Fatalf("%s: listen: %v", sc, err)
		}
		var c net.Conn
		err = ep.client.do(func() (err error) {
			c, err = net.DialTimeout("tcp", ln.Addr().String(), 3*time.Second)
			return err
		})
		if err != nil {
			t.Errorf("%s: %s cannot reach %s: %v", sc, ep.client, ln.Addr(), err)
		} else {
			c.Close()
		}
		ln.Close()
	}
	if err := topo.Close(); err != nil {
		t.Fatal(err)
	}
	if err := topo.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	assertGone(t, names...)
}

func TestBuildFailureCleansUp(t *testing.T) {
	needRoot(t)
	if _, err := Build(context.Background(), TopologyOptions{MTU: 70000}); err == nil {
		t.Fatal("MTU 70000 accepted")
	}
	// Three nodes: the namespaces are made, then wiring fails; all must go.
	if _, err := Build(context.Background(), TopologyOptions{PodsPerNode: []int{2, 1, 1}}); err == nil || !strings.Contains(err.Error(), "exactly 2 nodes") {
		t.Fatalf("err = %v, want a wiring error", err)
	}
	// Canceled before it starts: nothing is made.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, TopologyOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertGone(t)
}

func TestBigTCPSetAndReadBack(t *testing.T) {
	needRoot(t)
	kernel, err := runningKernel()
	if err != nil {
		t.Fatal(err)
	}
	if sup := CheckBigTCP(kernel); sup.Skip != "" {
		t.Skip(sup.Skip)
	}
	topo, err := Build(context.Background(), TopologyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := topo.Close(); err != nil {
			t.Error(err)
		}
		assertGone(t)
	}()
	links, err := topo.SetGSO(GSOSizeBigTCP)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 8 { // 2 underlay ends + 3 pods × 2 ends
		t.Errorf("BIG TCP set on %d links, want 8", len(links))
	}
	for _, l := range links {
		if l.GSOIPv4 != GSOSizeBigTCP || l.GROIPv4 != GSOSizeBigTCP || l.GSOMax != GSOSizeBigTCP || l.GROMax != GSOSizeBigTCP {
			t.Errorf("%s/%s read back %+v", l.Namespace, l.Link, l)
		}
	}
}

func TestCheckBigTCP(t *testing.T) {
	tests := []struct {
		release    string
		ipv6, ipv4 bool
		skip       string
	}{
		{"6.18.44-fc-v595", true, true, ""},
		{"6.3.0", true, true, ""},
		{"6.1.0-13-amd64", true, false, "needs Linux 6.3"},
		{"5.19.0", true, false, "needs Linux 6.3"},
		{"5.15.0-91-generic", false, false, "IPv6 BIG TCP needs Linux 5.19"},
		{"garbage", false, false, "want major.minor"},
	}
	for _, tt := range tests {
		s := CheckBigTCP(tt.release)
		if s.IPv6 != tt.ipv6 || s.IPv4 != tt.ipv4 || (tt.skip == "") != (s.Skip == "") || !strings.Contains(s.Skip, tt.skip) {
			t.Errorf("CheckBigTCP(%q) = %+v, want v6 %v v4 %v skip %q", tt.release, s, tt.ipv6, tt.ipv4, tt.skip)
		}
	}
}

// A 2-second TCP_STREAM in every scenario, then nothing may be left.
func TestRunScenarios(t *testing.T) {
	needRoot(t)
	var prog bytes.Buffer
	rep, err := Run(context.Background(), Options{
		Tests:    []netperf.Test{netperf.TCPStream},
		Params:   netperf.Params{Duration: 2 * time.Second},
		Server:   testServer,
		Progress: &prog,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3 {
		t.Fatalf("%d results, want one per scenario", len(rep.Results))
	}
	// One lab line per finished test and at least the final line of each sample.
	out := prog.String()
	for _, want := range []string{"netperf lab: 1/3 tests (33%)", "netperf lab: 3/3 tests (100%)"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "TCP_STREAM sample 1/1: "); n < 3 {
		t.Errorf("%d sample progress lines, want >= 3:\n%s", n, out)
	}
	for _, r := range rep.Results {
		t.Logf("%s %s %s: %.2f Gbit/s, %.4f CPU s/Gbit (client %.2f s, server %.2f s)", r.Scenario, r.Node, r.Test,
			r.ThroughputBps/1e9, r.CPUSecondsPerGbit, r.ClientCPUSeconds, r.ServerCPUSeconds)
		if r.ThroughputBps < 10e6 {
			t.Errorf("%s %s: %.0f bit/s, want > 10 Mbit/s", r.Scenario, r.Node, r.ThroughputBps)
		}
		if r.ClientCPUSeconds <= 0 || r.ServerCPUSeconds <= 0 {
			t.Errorf("%s %s: CPU client %v server %v, want both > 0", r.Scenario, r.Node, r.ClientCPUSeconds, r.ServerCPUSeconds)
		}
	}
	assertGone(t)
}

func TestRunCanceledCleansUp(t *testing.T) {
	needRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err := Run(ctx, Options{Scenarios: []Scenario{OtherNode}, Tests: []netperf.Test{netperf.TCPStream},
		Params: netperf.Params{Duration: 5 * time.Second}, Server: testServer})
	if err == nil {
		t.Fatal("canceled run returned no error")
	}
	assertGone(t)
}

func TestRunBadInput(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"big tcp", Options{BigTCP: "maybe", Params: netperf.Params{Duration: time.Second}}, "--big-tcp"},
		{"mtu", Options{MTU: 100, Params: netperf.Params{Duration: time.Second}}, "--mtu"},
		{"mss", Options{MSS: []int{65495}, Params: netperf.Params{Duration: time.Second}}, "--mss 65495"},
		{"duration", Options{}, "--duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := ParseScenarios("same-node,pod-to-moon"); err == nil {
		t.Error("unknown scenario accepted")
	}
}
