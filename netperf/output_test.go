package netperf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
)

// fixture is a fixed set of results covering every test type and label.
func fixture() []Result {
	return []Result{
		{Test: TCPRR, Scenario: "pod-to-pod", Node: "same-node", Streams: 1, DurationSeconds: 2, Samples: 1,
			LatencyMinUs: 17, LatencyMeanUs: 33.25, LatencyP50Us: 30, LatencyP90Us: 39, LatencyP99Us: 60, LatencyMaxUs: 4311,
			TransactionsPerSecond: 29940.7, SampleValues: []float64{29940.7}, ClientCPUSeconds: 0.9, ServerCPUSeconds: 0.8},
		{Test: TCPCRR, Scenario: "pod-to-pod", Node: "other-node", Streams: 1, DurationSeconds: 2, Samples: 3,
			LatencyMinUs: 80, LatencyMeanUs: 150.5, LatencyP50Us: 140, LatencyP90Us: 190, LatencyP99Us: 400, LatencyMaxUs: 9000,
			TransactionsPerSecond: 6000, TransactionsPerSecondCI95: 120, Connections: 36000, ServerConnections: 36000},
		{Test: TCPStream, Scenario: "pod-to-pod", Node: "same-node", Streams: 1, MSS: 1460, Direction: "forward", DurationSeconds: 2, Samples: 1,
			ThroughputBps: 12.5e9, SenderThroughputBps: 12.6e9, Retransmits: 3, CPUSecondsPerGbit: 0.061},
		{Test: TCPStream, Scenario: "pod-to-pod", Node: "same-node", Streams: 1, MSS: 8960, Direction: "forward", DurationSeconds: 2, Samples: 1,
			ThroughputBps: 20e9, SenderThroughputBps: 20.1e9, CPUSecondsPerGbit: 0.04},
		{Test: TCPStream, Scenario: "host-to-host", Node: "other-node", Streams: 4, Direction: "bidir", DurationSeconds: 2, Samples: 2,
			ThroughputBps: 30e9, ThroughputCI95Bps: 1.5e9, SenderThroughputBps: 30.2e9, UploadBps: 15e9, DownloadBps: 15e9, CPUSecondsPerGbit: 0.05},
		{Test: UDPStream, Scenario: "pod-to-pod", Node: "other-node", Streams: 1, MessageSize: 1024, DurationSeconds: 2, Samples: 1,
			ThroughputBps: 900e6, SenderThroughputBps: 1e9, UDPSent: 244140, UDPLost: 24414, UDPLossPercent: 10, UDPJitterUs: 12.5},
	}
}

func TestGoldenOutputs(t *testing.T) {
	tests := []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"table.golden", func(b *bytes.Buffer) error { return Write(b, "table", fixture()) }},
		{"results.json.golden", func(b *bytes.Buffer) error { return Write(b, "json", fixture()) }},
		{"netperf.csv.golden", func(b *bytes.Buffer) error { return Write(b, "csv", fixture()) }},
		{"perfdash.json.golden", func(b *bytes.Buffer) error {
			dir := t.TempDir()
			path, err := WritePerfdash(dir, fixture(), time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC))
			if err != nil {
				return err
			}
			if filepath.Base(path) != "NetworkPerformance_benchmark_2026-11-21T06:00:00Z.json" {
				t.Errorf("perfdash file name %s", filepath.Base(path))
			}
			data, err := os.ReadFile(path)
			b.Write(data)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tt.file), b.Bytes())
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", nil); err == nil {
		t.Fatal("want error for --output xml")
	}
}

func TestParseUnits(t *testing.T) {
	rates := []struct {
		in   string
		want float64
		bad  bool
	}{{"", 0, false}, {"1G", 1e9, false}, {"250m", 250e6, false}, {"unlimited", -1, false}, {"fast", 0, true}, {"-5M", 0, true}}
	for _, tt := range rates {
		got, err := ParseBitrate(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseBitrate(%q) = %v, %v", tt.in, got, err)
		}
	}
	sizes := []struct {
		in   string
		want int
		bad  bool
	}{{"", 0, false}, {"128K", 128 << 10, false}, {"4M", 4 << 20, false}, {"12", 12, false}, {"x", 0, true}}
	for _, tt := range sizes {
		got, err := ParseSize("--msg-size", tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseSize(%q) = %v, %v", tt.in, got, err)
		}
	}
}
