package netperf

import (
	"context"
	"testing"
	"time"

	"github.com/perflab/perflab/progress"
)

// BenchmarkTCPStreamLoopback moves b.N × 128 KiB over one loopback TCP_STREAM
// and reports Gbit/s; allocations per op show the data path is allocation-free.
func BenchmarkTCPStreamLoopback(b *testing.B) {
	addr := startServer(b)
	spec := Spec{Test: TCPStream, Params: Params{Duration: 300 * time.Millisecond}}
	b.ReportAllocs()
	var bits float64
	var secs float64
	for b.Loop() {
		s, err := runOnce(context.Background(), addr, nil, spec, "", progress.Options{})
		if err != nil {
			b.Fatal(err)
		}
		bits += float64(s.recvBytes) * 8
		secs += s.elapsed.Seconds()
	}
	b.ReportMetric(bits/secs/1e9, "Gbit/s")
}

// BenchmarkTCPRRLoopback reports TCP_RR transactions per second and allocations per run.
func BenchmarkTCPRRLoopback(b *testing.B) {
	addr := startServer(b)
	spec := Spec{Test: TCPRR, Params: Params{Duration: 300 * time.Millisecond}}
	b.ReportAllocs()
	var tx uint64
	var secs float64
	for b.Loop() {
		s, err := runOnce(context.Background(), addr, nil, spec, "", progress.Options{})
		if err != nil {
			b.Fatal(err)
		}
		tx += s.transactions
		secs += s.elapsed.Seconds()
	}
	b.ReportMetric(float64(tx)/secs, "tx/s")
}
