package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/netperf"
	"github.com/perflab/perflab/netperf/lab"
)

// runCLI runs perflab with args and returns its stdout; stderr (progress
// lines) goes to the test log, as a terminal shows it apart from results.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	if errOut.Len() > 0 {
		t.Logf("stderr:\n%s", errOut.String())
	}
	return out.String(), err
}

func TestNetperfBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"netperf", "run", "--server", "127.0.0.1:1", "--test", "TCP_FOO"}, "unknown test"},
		{[]string{"netperf", "run", "--server", "127.0.0.1:1", "--mss", "65495"}, "--mss 65495"},
		{[]string{"netperf", "run", "--server", "127.0.0.1:1", "--duration", "0s"}, "--duration"},
		{[]string{"netperf", "run", "--server", "127.0.0.1:1", "-o", "xml"}, "--output"},
		{[]string{"netperf", "run", "--duration", "1s"}, "--server"},
		{[]string{"netperf", "lab", "--scenario", "moon"}, "unknown scenario"},
		{[]string{"netperf", "lab", "--big-tcp", "maybe", "--duration", "1s"}, "--big-tcp"},
		{[]string{"netperf", "cluster"}, "--image"},
		{[]string{"netperf", "server", "--port", "70000"}, "--port"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			_, err := runCLI(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || exitcode.Of(err) != exitcode.Error {
				t.Fatalf("err = %v (exit %d), want exit 1 with %q", err, exitcode.Of(err), tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestNetperfRunJSON(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := netperf.NewServer(ctx, netperf.ServerOptions{Bind: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ctx) }()
	out, err := runCLI(t, "netperf", "run", "--server", srv.Addr().String(), "--test", "TCP_STREAM,TCP_RR", "--duration", "300ms", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(doc.Results) != 2 {
		t.Fatalf("%d results, want 2", len(doc.Results))
	}
	for _, key := range []string{"test", "scenario", "throughputBps", "latencyP50Us", "latencyP90Us", "latencyP99Us",
		"transactionsPerSecond", "retransmits", "clientCpuSeconds", "serverCpuSeconds"} {
		if _, ok := doc.Results[0][key]; !ok {
			t.Errorf("result lacks %q", key)
		}
	}
	if doc.Results[0]["throughputBps"].(float64) <= 0 || doc.Results[1]["transactionsPerSecond"].(float64) <= 0 {
		t.Errorf("implausible results: %v", doc.Results)
	}
}

// TestMain lets the test binary stand in for perflab when the lab forks its
// server (`<executable> netperf server ...`, see lab.SelfServer).
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "netperf" && os.Args[2] == "server" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		cmd := newRootCommand()
		cmd.SetArgs(os.Args[1:])
		err := cmd.ExecuteContext(ctx)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "perflab:", err)
		}
		os.Exit(exitcode.Of(err))
	}
	os.Exit(m.Run())
}

// The lab end to end through the command, with its real server process.
func TestNetperfLabCommand(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the namespace lab needs root (CI runs as root)")
	}
	out, err := runCLI(t, "netperf", "lab", "--scenario", "same-node", "--test", "TCP_RR,TCP_STREAM", "--streams", "1",
		"--duration", "1s", "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var doc struct {
		Results []netperf.Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Results) != 2 || doc.Results[0].Scenario != "pod-to-pod" || doc.Results[0].Node != "same-node" {
		t.Fatalf("results %+v", doc.Results)
	}
	if doc.Results[0].TransactionsPerSecond <= 0 || doc.Results[1].ThroughputBps <= 0 || doc.Results[1].ServerCPUSeconds <= 0 {
		t.Errorf("implausible: %+v", doc.Results)
	}
	left, err := lab.Owned()
	if err != nil || len(left) > 0 {
		t.Errorf("namespaces left: %v %v", left, err)
	}
}
