package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/perflab/perflab/netperf"
	"github.com/perflab/perflab/progress"
)

// ErrNotRoot is returned when the lab cannot create namespaces.
var ErrNotRoot = errors.New("perflab netperf lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces")

// Options configure a lab run.
type Options struct {
	Scenarios []Scenario
	MTU       int
	BigTCP    string         // off, on or both
	Tests     []netperf.Test // default TCP_STREAM and TCP_RR
	UDP       bool           // add UDP_STREAM and UDP_RR
	CRR       bool           // add TCP_CRR
	Streams   int            // > 1 adds a TCP_STREAM with this many parallel streams
	MSS       []int
	Samples   int
	Params    netperf.Params // duration, sizes, buffers, bitrate
	Server    ServerCommand  // how to run the server process; nil = SelfServer
	// Progress gets the lab's and each sample's progress lines (stderr in
	// commands); nil: none.
	Progress io.Writer
}

// Report is what a lab run measured and configured.
type Report struct {
	Kernel  string           `json:"kernel"`
	Prefix  string           `json:"namespacePrefix"`
	MTU     int              `json:"mtu"`
	GSO     []LinkGSO        `json:"bigTcpLinks,omitempty"` // read back after enabling BIG TCP
	Notes   []string         `json:"notes,omitempty"`
	Results []netperf.Result `json:"results"`
}

// validate checks o and fills defaults.
func (o *Options) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", netperf.ErrBadInput, fmt.Sprintf(format, a...))
	}
	if len(o.Scenarios) == 0 {
		o.Scenarios = Scenarios()
	}
	switch o.BigTCP {
	case "":
		o.BigTCP = "off"
	case "off", "on", "both":
	default:
		return bad("--big-tcp %q: want off, on or both", o.BigTCP)
	}
	if o.MTU != 0 && (o.MTU < 576 || o.MTU > 65535) {
		return bad("--mtu %d: want 576..65535 (1500 and 9000 are typical)", o.MTU)
	}
	if len(o.Tests) == 0 {
		o.Tests = []netperf.Test{netperf.TCPStream, netperf.TCPRR}
	}
	if o.UDP {
		o.Tests = append(o.Tests, netperf.UDPStream, netperf.UDPRR)
	}
	if o.CRR {
		o.Tests = append(o.Tests, netperf.TCPCRR)
	}
	if o.Streams < 0 || o.Streams > 128 {
		return bad("--streams %d: want 1..128", o.Streams)
	}
	if o.Server == nil {
		o.Server = SelfServer
	}
	// Validate the engine options once, with a placeholder server.
	probe := netperf.Options{Server: "127.0.0.1:1", Tests: o.Tests, Params: o.Params, MSS: o.MSS, Samples: o.Samples}
	return probe.Validate()
}

// Run builds the lab, runs every test in every scenario (and BIG TCP mode),
// and deletes the lab again — also when a test fails or ctx is canceled.
func Run(ctx context.Context, o Options) (rep *Report, err error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	if names, err := RemoveLeftovers(); len(names) > 0 || err != nil {
		slog.Warn("removed namespaces left by dead perflab processes", "names", names, "err", err)
	}
	kernel, err := runningKernel()
	if err != nil {
		return nil, err
	}
	topo, err := Build(ctx, TopologyOptions{MTU: o.MTU})
	if err != nil {
		return nil, fmt.Errorf("build lab: %w", err)
	}
	defer func() {
		if cerr := topo.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("delete lab: %w", cerr))
		}
	}()
	rep = &Report{Kernel: kernel, Prefix: topo.Prefix, MTU: topo.MTU}
	modes := []string{o.BigTCP}
	if o.BigTCP == "both" {
		modes = []string{"off", "on"}
	}
	prog := progress.New(progress.Options{Name: "netperf lab", Unit: "tests", Out: o.Progress,
		Total: int64(len(modes) * len(o.Scenarios) * o.runsPerScenario())})
	for _, mode := range modes {
		label := ""
		if o.BigTCP != "off" {
			label = mode
		}
		if mode == "on" {
			sup := CheckBigTCP(kernel)
			if sup.Skip != "" {
				rep.Notes = append(rep.Notes, sup.Skip)
				slog.Warn(sup.Skip)
				continue
			}
			gso, err := topo.SetGSO(GSOSizeBigTCP)
			rep.GSO = gso
			if err != nil {
				return rep, fmt.Errorf("enable BIG TCP: %w", err)
			}
			slog.Info("BIG TCP enabled and read back", "links", len(gso), "size", GSOSizeBigTCP)
		}
		for _, sc := range o.Scenarios {
			rs, err := runScenario(ctx, topo, sc, o, label, prog)
			rep.Results = append(rep.Results, rs...)
			if err != nil {
				return rep, fmt.Errorf("scenario %s: %w", sc, err)
			}
		}
	}
	return rep, nil
}

// runScenario starts a server process in the scenario's server namespace
// and runs the tests from its client namespace.
func runScenario(ctx context.Context, topo *Topology, sc Scenario, o Options, bigTCP string, prog *progress.Reporter) (_ []netperf.Result, err error) {
	ep, err := topo.endpoints(sc)
	if err != nil {
		return nil, err
	}
	cmd, err := o.Server(ep.serverAddr.String(), netperf.DefaultPort)
	if err != nil {
		return nil, err
	}
	token, err := netperf.NewToken()
	if err != nil {
		return nil, err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, netperf.TokenEnv+"="+token)
	addr := net.JoinHostPort(ep.serverAddr.String(), strconv.Itoa(netperf.DefaultPort))
	srv, err := startServer(ctx, ep.server, ep.client, cmd, addr)
	if err != nil {
		return nil, err
	}
	defer func() {
		if serr := srv.stop(); serr != nil {
			err = errors.Join(err, serr)
		}
	}()
	labels := netperf.Labels{Scenario: ep.scenario, Node: ep.node, BigTCP: bigTCP, MTU: topo.MTU}
	co := netperf.Options{
		Server: addr, Token: token,
		Params: o.Params, MSS: o.MSS, Samples: o.Samples, Namespace: ep.client, Labels: labels,
		Progress: o.Progress,
	}
	var out []netperf.Result
	for _, t := range o.Tests {
		co.Tests = []netperf.Test{t}
		co.Params.Streams = 1
		co.Params.Reverse = o.Params.Reverse && t == netperf.TCPStream
		co.Params.Bidir = o.Params.Bidir && t == netperf.TCPStream
		rs, err := netperf.Run(ctx, co)
		out = append(out, rs...)
		if err != nil {
			return out, err
		}
		prog.Add(int64(len(rs)))
		prog.Print()
		if t == netperf.TCPStream && o.Streams > 1 {
			co.Params.Streams = o.Streams
			rs, err := netperf.Run(ctx, co)
			out = append(out, rs...)
			if err != nil {
				return out, err
			}
			prog.Add(int64(len(rs)))
			prog.Print()
		}
	}
	return out, nil
}

// runsPerScenario counts the results one scenario produces.
func (o *Options) runsPerScenario() int {
	n := 0
	msss := max(len(o.MSS), 1)
	for _, t := range o.Tests {
		per := 1
		if t == netperf.TCPStream || t == netperf.TCPRR || t == netperf.TCPCRR {
			per = msss // the engine runs TCP tests once per MSS
		}
		n += per
		if t == netperf.TCPStream && o.Streams > 1 {
			n += per
		}
	}
	return n
}
