package lab

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/perflab/perflab/internal/golden"
	"github.com/perflab/perflab/netperf"
)

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
	golden.Check(t, filepath.Join("testdata", "lab-table.golden"), b.Bytes())
}
