package cilium

import (
	"bytes"
	"os"
	"testing"
)

func BenchmarkComputeSizes(b *testing.B) {
	cfg := AgentConfig{OptDynamicSizeRatio: "0.01", OptDistributedLRU: "true"}
	node := Node{MemTotalBytes: 5036000 * 1024, PossibleCPUs: 7}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputeSizes(cfg, node); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMetricsList(b *testing.B) {
	raw, err := os.ReadFile("testdata/seed-metrics-conntrack.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMetrics(bytes.NewReader(raw), "seed"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForecast includes the scan for the smallest ratio (up to 10000
// candidate ratios, each sized and simulated).
func BenchmarkForecast(b *testing.B) {
	node := Node{MemTotalBytes: 16 << 30, PossibleCPUs: 4}
	w := Workload{NewConnsPerSec: 2000, Services: 3000, Backends: 30000, Endpoints: 20000, Nodes: 100, PodsPerNode: 110, NewFlowsAnyPerSec: 500}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Forecast(AgentConfig{}, node, w, 0.85); err != nil {
			b.Fatal(err)
		}
	}
}
