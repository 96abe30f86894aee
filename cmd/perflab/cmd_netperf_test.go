package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/netperf"
)

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
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
