package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/netperf"
	"github.com/perflab/perflab/netperf/incluster"
	"github.com/perflab/perflab/netperf/lab"
	"github.com/perflab/perflab/report"
	"github.com/perflab/perflab/target"
)

func newNetperfCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "netperf",
		Short: "Network benchmark: TCP/UDP stream, RR, CRR in a namespace lab, against a server, or in-cluster",
		Long: `perflab netperf measures throughput, latency, retransmits and CPU cost per Gbit/s
with one Go engine (no iperf3/netperf binaries).

Exit codes: 0 ok, 1 error or bad input, 130 interrupted.`,
	}
	cmd.AddCommand(newNetperfServerCommand(), newNetperfRunCommand(), newNetperfLabCommand(), newNetperfClusterCommand())
	return cmd
}

// engineFlags are the test knobs shared by run, lab and cluster.
type engineFlags struct {
	tests, mss, msgSize, sendBuf, recvBuf, bitrate string
	duration                                       time.Duration
	streams, samples, reqSize, respSize            int
	reverse, bidir                                 bool
	output, reportDir                              string
	report                                         runReport
}

func (f *engineFlags) add(cmd *cobra.Command, defTests string, defStreams int) {
	fs := cmd.Flags()
	fs.StringVar(&f.tests, "test", defTests, "comma-separated tests: "+strings.Join(testNames(), ", "))
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "duration of each test sample")
	fs.IntVar(&f.streams, "streams", defStreams, "parallel TCP_STREAM/UDP_STREAM connections (-P)")
	fs.StringVar(&f.mss, "mss", "", "TCP MSS (TCP_MAXSEG, 88..32767); a list such as 1460,8960 runs each (CSV columns)")
	fs.BoolVar(&f.reverse, "reverse", false, "TCP_STREAM: the server sends (-R)")
	fs.BoolVar(&f.bidir, "bidir", false, "TCP_STREAM: both directions at once")
	fs.IntVar(&f.samples, "samples", 1, "repetitions per test; reported as mean ±95% CI")
	fs.StringVar(&f.msgSize, "msg-size", "", "write size for TCP_STREAM (default 128K) or datagram size for UDP_STREAM (default 1024)")
	fs.IntVar(&f.reqSize, "req-size", 1, "request bytes for RR/CRR")
	fs.IntVar(&f.respSize, "resp-size", 1, "response bytes for RR/CRR")
	fs.StringVar(&f.bitrate, "bitrate", "", "UDP_STREAM target rate over all streams, e.g. 500M, 10G or unlimited (default 1G)")
	fs.StringVar(&f.sendBuf, "send-buffer", "", "SO_SNDBUF on both ends, e.g. 4M (default: kernel autotuning)")
	fs.StringVar(&f.recvBuf, "recv-buffer", "", "SO_RCVBUF on both ends, e.g. 4M (default: kernel autotuning)")
	fs.StringVarP(&f.output, "output", "o", "table", "output: table, json or csv (perf-tests netperf layout, Mbit/s)")
	fs.StringVar(&f.reportDir, "report-dir", "", "also write netperf-results.json, a perfdash file NetworkPerformance_benchmark_<time>.json and report.html here")
	f.report.AddFlags(fs)
}

func testNames() []string {
	var s []string
	for _, t := range netperf.Tests() {
		s = append(s, string(t))
	}
	return s
}

// engine converts the flags; errors are bad input.
func (f *engineFlags) engine() (tests []netperf.Test, p netperf.Params, mss []int, ro netperf.ReportOptions, err error) {
	if f.tests != "" {
		if tests, err = netperf.ParseTests(f.tests); err != nil {
			return
		}
	}
	p = netperf.Params{Duration: f.duration, Streams: f.streams, Reverse: f.reverse, Bidir: f.bidir,
		RequestSize: f.reqSize, ResponseSize: f.respSize}
	if f.reqSize < 1 || f.respSize < 1 {
		err = errors.New("--req-size and --resp-size must be at least 1")
		return
	}
	var e1, e2, e3, e4, e5 error
	p.MessageSize, e1 = netperf.ParseSize("--msg-size", f.msgSize)
	p.SendBuffer, e2 = netperf.ParseSize("--send-buffer", f.sendBuf)
	p.RecvBuffer, e3 = netperf.ParseSize("--recv-buffer", f.recvBuf)
	p.BitsPerSecond, e4 = netperf.ParseBitrate(f.bitrate)
	mss, e5 = netperf.ParseMSS(f.mss)
	if err = errors.Join(e1, e2, e3, e4, e5); err != nil {
		return
	}
	ro = netperf.ReportOptions{Format: f.output, Dir: f.reportDir}
	return tests, p, mss, ro, ro.Validate()
}

func badInput(err error) error { return exitcode.With(exitcode.Error, err) }

type netperfServerOptions struct {
	bind, token string
	port        int
	maxSessions int
	idle        time.Duration
}

func newNetperfServerCommand() *cobra.Command {
	o := &netperfServerOptions{bind: "127.0.0.1", port: netperf.DefaultPort}
	cmd := &cobra.Command{
		Use: "server",
		Example: `  perflab netperf server --bind 127.0.0.1 --port 5201
  PERFLAB_NETPERF_TOKEN=$(openssl rand -hex 16) perflab netperf server --bind 10.0.0.5`,
		Short: "Answer perflab netperf clients (TCP and UDP on one port) until interrupted",
		Long: `Answer perflab netperf clients (TCP and UDP on one port) until interrupted.

A session is opened over TCP; its data connections and UDP datagrams are
accepted only from the address that opened it, with its unguessable id, and
UDP responses go only there (one per request, of the size the session asked
for). At most --max-sessions run at once; a session idle for --idle-timeout
is closed. A server reachable beyond loopback should have a --token (or
$` + netperf.TokenEnv + `), which clients pass the same way.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return netperf.ListenAndServe(cmd.Context(), netperf.ServerOptions{Bind: o.bind, Port: o.port,
				Token: tokenOrEnv(o.token), MaxSessions: o.maxSessions, IdleTimeout: o.idle})
		},
	}
	cmd.Flags().StringVar(&o.bind, "bind", o.bind, "address to listen on (0.0.0.0 for all)")
	cmd.Flags().IntVar(&o.port, "port", o.port, "TCP and UDP port")
	cmd.Flags().StringVar(&o.token, "token", "", "secret every client must present (default $"+netperf.TokenEnv+")")
	cmd.Flags().IntVar(&o.maxSessions, "max-sessions", netperf.DefaultMaxSessions, "sessions open at once")
	durationVar(cmd.Flags(), &o.idle, "idle-timeout", netperf.DefaultIdleTimeout, "close a session without traffic for this long")
	return cmd
}

func tokenOrEnv(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(netperf.TokenEnv)
}

type netperfRunOptions struct {
	engineFlags
	server, token string
}

func newNetperfRunCommand() *cobra.Command {
	o := &netperfRunOptions{}
	cmd := &cobra.Command{
		Use: "run --server HOST[:PORT]",
		Example: `  perflab netperf run --server 127.0.0.1 --test TCP_STREAM,TCP_RR --duration 10s
  perflab netperf run --server 127.0.0.1:5201 --test TCP_STREAM --streams 4 --mss 1460,8960 -o csv`,
		Short: "Run tests against a perflab netperf server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNetperfRun(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.add(cmd, "TCP_STREAM", 1)
	cmd.Flags().StringVar(&o.server, "server", "", "server address, HOST or HOST:PORT (default port 5201)")
	cmd.Flags().StringVar(&o.token, "token", "", "the server's --token (default $"+netperf.TokenEnv+")")
	return cmd
}

func runNetperfRun(ctx context.Context, o *netperfRunOptions, w, progress io.Writer) error {
	tests, p, mss, ro, err := o.engine()
	if err != nil {
		return badInput(err)
	}
	o.report.start(report.Netperf)
	o.report.info.Target = o.server
	err = netperf.RunAndReport(ctx, netperf.Options{Server: o.server, Tests: tests, Params: p, MSS: mss,
		Samples: o.samples, Token: tokenOrEnv(o.token), Progress: progress}, ro, w)
	return o.report.finish(ctx, o.reportDir, err)
}

type netperfLabOptions struct {
	engineFlags
	scenarios, bigTCP string
	mtu               int
	udp, crr          bool
}

func newNetperfLabCommand() *cobra.Command {
	o := &netperfLabOptions{bigTCP: "off", mtu: 1500}
	cmd := &cobra.Command{
		Use: "lab",
		Example: `  sudo perflab netperf lab --scenario same-node,other-node,host-net --duration 5s
  sudo perflab netperf lab --big-tcp both --mtu 9000 --udp --crr`,
		Short: "Build a network-namespace cluster (nodes, pods, veths), benchmark it, delete it (root)",
		Long: `perflab netperf lab builds two node namespaces joined by a veth underlay and pod
namespaces attached to their node, then runs the tests for each scenario:
same-node (pod to pod), other-node (pod to pod across nodes), host-net (node to node).
Every namespace (named perflab-<pid>-...) and link is deleted afterwards, also on
error and Ctrl-C. --big-tcp both runs everything with 64K and 192K GSO/GRO and
prints the difference.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNetperfLab(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.add(cmd, "", 4)
	fs := cmd.Flags()
	fs.StringVar(&o.scenarios, "scenario", "same-node,other-node,host-net", "scenarios to run")
	fs.IntVar(&o.mtu, "mtu", o.mtu, "MTU of every veth (1500, 9000, ...)")
	fs.StringVar(&o.bigTCP, "big-tcp", o.bigTCP, "BIG TCP (192K GSO/GRO): off, on or both")
	fs.BoolVar(&o.udp, "udp", false, "add UDP_STREAM and UDP_RR")
	fs.BoolVar(&o.crr, "crr", false, "add TCP_CRR")
	return cmd
}

func runNetperfLab(ctx context.Context, o *netperfLabOptions, w, progress io.Writer) error {
	tests, p, mss, ro, err := o.engine()
	if err != nil {
		return badInput(err)
	}
	scenarios, err := lab.ParseScenarios(o.scenarios)
	if err != nil {
		return badInput(err)
	}
	streams := p.Streams
	p.Streams = 1
	o.report.start(report.Netperf)
	o.report.info.Target = "network-namespace lab"
	err = lab.RunAndReport(ctx, lab.Options{Scenarios: scenarios, MTU: o.mtu, BigTCP: o.bigTCP, Tests: tests,
		UDP: o.udp, CRR: o.crr, Streams: streams, MSS: mss, Samples: o.samples, Params: p, Progress: progress}, ro, w)
	return o.report.finish(ctx, o.reportDir, err)
}

type netperfClusterOptions struct {
	engineFlags
	incluster.Options
	target target.Options
}

func newNetperfClusterCommand() *cobra.Command {
	o := &netperfClusterOptions{}
	cmd := &cobra.Command{
		Use:     "cluster --image IMAGE",
		Example: `  perflab netperf cluster --image registry.example/perflab:dev --same-node --other-node --host-net`,
		Short:   "Deploy perflab server/client pods on a real cluster and benchmark the pod network",
		Long: `perflab netperf cluster deploys server and client pods running IMAGE (perflab
itself; see the Dockerfile), places clients on the same node and on another node
(pod affinity / anti-affinity), optionally with hostNetwork and through a ClusterIP
Service, runs the tests via pod exec and deletes everything it made.
The embedded cluster's simulated pods carry no traffic: it is refused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNetperfCluster(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	o.add(cmd, "TCP_STREAM,TCP_RR", 4)
	o.Options.AddFlags(cmd.Flags())
	o.target.AddKubeconfigFlags(cmd.Flags())
	o.target.RealOnly = true
	return cmd
}

func runNetperfCluster(ctx context.Context, o *netperfClusterOptions, w io.Writer) error {
	tests, p, mss, ro, err := o.engine()
	if err != nil {
		return badInput(err)
	}
	co := o.Options
	co.Tests, co.Params, co.MSS, co.Samples = tests, p, mss, o.samples
	if err := co.Validate(); err != nil {
		return err
	}
	o.report.start(report.Netperf)
	err = runInCluster(ctx, o.target, co, ro, w)
	return o.report.finish(ctx, o.reportDir, err)
}

// runInCluster runs the in-cluster benchmark on the real cluster t names.
func runInCluster(ctx context.Context, t target.Options, co incluster.Options, ro netperf.ReportOptions, w io.Writer) (err error) {
	env, err := target.Resolve(ctx, t)
	if err != nil {
		return fmt.Errorf("netperf cluster needs a real cluster (the embedded one's pods carry no traffic): %w", err)
	}
	defer closeInto(&err, env.Close)
	return incluster.RunAndReport(ctx, env, co, ro, w)
}
