package lab

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/perflab/perflab/netperf"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestReportTableGolden(t *testing.T) {
	rep := &Report{Kernel: "6.18.44", Prefix: "perflab-1234-1", MTU: 1500,
		GSO: []LinkGSO{{Namespace: "perflab-1234-1-node1", Link: "eth0", GSOMax: 196608, GROMax: 196608, GSOIPv4: 196608, GROIPv4: 196608}},
		Results: []netperf.Result{
			{Test: netperf.TCPStream, Scenario: "pod-to-pod", Node: "same-node", BigTCP: "off", Streams: 1, Direction: "forward", DurationSeconds: 2, ThroughputBps: 10e9, SenderThroughputBps: 10e9, CPUSecondsPerGbit: 0.08},
			{Test: netperf.TCPRR, Scenario: "pod-to-pod", Node: "same-node", BigTCP: "off", Streams: 1, DurationSeconds: 2, LatencyMinUs: 20, LatencyMeanUs: 40, LatencyP50Us: 38, LatencyP90Us: 50, LatencyP99Us: 90, LatencyMaxUs: 900, TransactionsPerSecond: 20000},
			{Test: netperf.TCPStream, Scenario: "pod-to-pod", Node: "same-node", BigTCP: "on", Streams: 1, Direction: "forward", DurationSeconds: 2, ThroughputBps: 12e9, SenderThroughputBps: 12e9, CPUSecondsPerGbit: 0.06},
		}}
	var b bytes.Buffer
	if err := rep.Write(&b, "table"); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "lab-table.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("table differs from %s:\n%s", golden, b.String())
	}
}
