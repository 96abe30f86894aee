package netperf

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// startServer runs a server on 127.0.0.1 (loopback only) for the test.
func startServer(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := NewServer(ctx, ServerOptions{Bind: "127.0.0.1", Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv.Addr().String()
}

func TestEngineLoopback(t *testing.T) {
	addr := startServer(t)
	const d = 700 * time.Millisecond
	tests := []struct {
		name   string
		test   Test
		params Params
		check  func(t *testing.T, r Result)
	}{
		{"tcp stream", TCPStream, Params{}, checkThroughput},
		{"tcp stream parallel", TCPStream, Params{Streams: 3}, checkThroughput},
		{"tcp stream reverse", TCPStream, Params{Reverse: true}, func(t *testing.T, r Result) {
			checkThroughput(t, r)
			if r.UploadBps != 0 || r.DownloadBps <= 0 {
				t.Errorf("reverse: upload %v download %v, want only download", r.UploadBps, r.DownloadBps)
			}
		}},
		{"tcp stream bidir", TCPStream, Params{Bidir: true, Streams: 2}, func(t *testing.T, r Result) {
			checkThroughput(t, r)
			if r.UploadBps <= 0 || r.DownloadBps <= 0 {
				t.Errorf("bidir: upload %v download %v, want both", r.UploadBps, r.DownloadBps)
			}
		}},
		{"tcp stream mss", TCPStream, Params{MSS: 1000, SendBuffer: 1 << 20, RecvBuffer: 1 << 20}, func(t *testing.T, r Result) {
			checkThroughput(t, r)
			if r.SendMSS == 0 || r.SendMSS > 1000 {
				t.Errorf("TCP_MAXSEG 1000, but the sender's MSS is %d", r.SendMSS)
			}
		}},
		{"tcp stream reverse mss", TCPStream, Params{MSS: 536, Reverse: true}, func(t *testing.T, r Result) {
			checkThroughput(t, r)
			if r.SendMSS == 0 || r.SendMSS > 536 {
				t.Errorf("TCP_MAXSEG 536 on the client, but the server sends with MSS %d", r.SendMSS)
			}
		}},
		{"tcp rr", TCPRR, Params{}, checkLatency},
		{"tcp rr sizes", TCPRR, Params{RequestSize: 512, ResponseSize: 4096}, checkLatency},
		{"tcp crr", TCPCRR, Params{}, func(t *testing.T, r Result) {
			checkLatency(t, r)
			if r.Connections == 0 || r.Connections != r.ServerConnections {
				t.Errorf("CRR connections: client %d, server %d; want equal and > 0", r.Connections, r.ServerConnections)
			}
		}},
		{"udp rr", UDPRR, Params{}, func(t *testing.T, r Result) {
			checkLatency(t, r)
			if r.ServerConnections == 0 {
				t.Error("server answered no UDP_RR request")
			}
		}},
		{"udp stream paced", UDPStream, Params{BitsPerSecond: 50e6}, func(t *testing.T, r Result) {
			checkThroughput(t, r)
			if r.SenderThroughputBps > 60e6 || r.SenderThroughputBps < 20e6 {
				t.Errorf("paced at 50 Mbit/s, sent %.1f Mbit/s", r.SenderThroughputBps/1e6)
			}
			if r.UDPSent == 0 {
				t.Error("no datagrams sent")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			p.Duration = d
			var prog bytes.Buffer
			res, err := Run(context.Background(), Options{Server: addr, Tests: []Test{tt.test}, Params: p, Labels: Labels{Scenario: "loopback"}, Progress: &prog})
			if err != nil {
				t.Fatal(err)
			}
			// The sample's final progress line: bits for throughput tests, transactions otherwise.
			unit := " transactions, "
			if tt.test == TCPStream || tt.test == UDPStream {
				unit = "bit/s, "
			}
			t.Logf("progress: %s", prog.String())
			if line := prog.String(); !strings.HasPrefix(line, "loopback "+string(tt.test)) || !strings.Contains(line, "sample 1/1: ") || !strings.Contains(line, unit) {
				t.Errorf("progress %q: want \"loopback %s ... sample 1/1: ...%s...\"", line, tt.test, unit)
			}
			if len(res) != 1 {
				t.Fatalf("got %d results, want 1", len(res))
			}
			r := res[0]
			t.Logf("%s: %.2f Gbit/s (sent %.2f) tps %.0f p50 %.1fµs p99 %.1fµs retrans %.0f rtt %.0fµs cpu c/s %.3f/%.3f s, %.3f s/Gbit conns %d/%d lost %d/%d jitter %.1fµs",
				r.Test, r.ThroughputBps/1e9, r.SenderThroughputBps/1e9, r.TransactionsPerSecond, r.LatencyP50Us, r.LatencyP99Us,
				r.Retransmits, r.RTTUs, r.ClientCPUSeconds, r.ServerCPUSeconds, r.CPUSecondsPerGbit, r.Connections, r.ServerConnections, r.UDPLost, r.UDPSent, r.UDPJitterUs)
			if r.ClientCPUSeconds <= 0 || r.ServerCPUSeconds <= 0 {
				t.Errorf("CPU seconds client %v server %v, want > 0", r.ClientCPUSeconds, r.ServerCPUSeconds)
			}
			tt.check(t, r)
		})
	}
}

func checkThroughput(t *testing.T, r Result) {
	t.Helper()
	if r.ThroughputBps < 1e6 || r.SenderThroughputBps < 1e6 {
		t.Errorf("throughput %.0f bit/s received, %.0f sent; want > 1 Mbit/s", r.ThroughputBps, r.SenderThroughputBps)
	}
	if r.Test == TCPStream && r.CPUSecondsPerGbit <= 0 {
		t.Errorf("CPU per Gbit %v, want > 0", r.CPUSecondsPerGbit)
	}
}

func checkLatency(t *testing.T, r Result) {
	t.Helper()
	if r.TransactionsPerSecond < 10 {
		t.Errorf("%.1f transactions/s, want > 10", r.TransactionsPerSecond)
	}
	l := []float64{r.LatencyMinUs, r.LatencyP50Us, r.LatencyP90Us, r.LatencyP99Us, r.LatencyMaxUs}
	if l[0] <= 0 {
		t.Errorf("min latency %v µs, want > 0", l[0])
	}
	for i := 1; i < len(l); i++ {
		if l[i] < l[i-1] {
			t.Errorf("latencies not ordered (min p50 p90 p99 max): %v", l)
		}
	}
	if r.LatencyMeanUs < r.LatencyMinUs || r.LatencyMeanUs > r.LatencyMaxUs {
		t.Errorf("mean %v outside [min %v, max %v]", r.LatencyMeanUs, r.LatencyMinUs, r.LatencyMaxUs)
	}
}

// A UDP_STREAM far above what the receiver can take must report loss; a
// small receive buffer makes the receiver the bottleneck on any machine.
func TestUDPOverloadReportsLoss(t *testing.T) {
	addr := startServer(t)
	res, err := Run(context.Background(), Options{Server: addr, Tests: []Test{UDPStream},
		Params: Params{Duration: 700 * time.Millisecond, BitsPerSecond: -1, Streams: 2, MessageSize: 8000, RecvBuffer: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.UDPLost == 0 || r.UDPLossPercent <= 0 || r.UDPLossPercent > 100 {
		t.Fatalf("sent %d datagrams, lost %d (%.2f%%); want loss", r.UDPSent, r.UDPLost, r.UDPLossPercent)
	}
	if r.UDPLost > r.UDPSent {
		t.Fatalf("lost %d > sent %d", r.UDPLost, r.UDPSent)
	}
}

func TestSamplesConfidenceInterval(t *testing.T) {
	addr := startServer(t)
	res, err := Run(context.Background(), Options{Server: addr, Tests: []Test{TCPRR}, Samples: 3,
		Params: Params{Duration: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Samples != 3 || len(r.SampleValues) != 3 {
		t.Fatalf("samples %d values %v, want 3", r.Samples, r.SampleValues)
	}
	if r.TransactionsPerSecondCI95 <= 0 {
		t.Errorf("CI95 %v, want > 0 for 3 differing samples", r.TransactionsPerSecondCI95)
	}
}

func TestRunBadInput(t *testing.T) {
	addr := startServer(t)
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"mss low", Options{Server: addr, Tests: []Test{TCPStream}, Params: Params{Duration: time.Second, MSS: 87}}, "out of range"},
		{"mss high", Options{Server: addr, Tests: []Test{TCPStream}, Params: Params{Duration: time.Second, MSS: 65495}}, "--mss 65495"},
		{"zero duration", Options{Server: addr, Tests: []Test{TCPRR}}, "--duration"},
		{"negative duration", Options{Server: addr, Tests: []Test{TCPRR}, Params: Params{Duration: -time.Second}}, "--duration"},
		{"unknown test", Options{Server: addr, Tests: []Test{"TCP_FOO"}, Params: Params{Duration: time.Second}}, "unknown test"},
		{"reverse and bidir", Options{Server: addr, Tests: []Test{TCPStream}, Params: Params{Duration: time.Second, Reverse: true, Bidir: true}}, "exclude"},
		{"no server", Options{Tests: []Test{TCPRR}, Params: Params{Duration: time.Second}}, "--server"},
		{"reverse udp", Options{Server: addr, Tests: []Test{UDPStream}, Params: Params{Duration: time.Second, Reverse: true}}, "TCP_STREAM only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.o)
			if err == nil || !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrBadInput containing %q", err, tt.want)
			}
		})
	}
}

func TestServerUnreachable(t *testing.T) {
	// A port on 127.0.0.1 with nothing listening: take a server's port, then close it.
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := NewServer(ctx, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().String()
	srv.Close()
	cancel()
	_, err = Run(context.Background(), Options{Server: addr, Tests: []Test{TCPRR}, Params: Params{Duration: time.Second}})
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("err = %v, want unreachable", err)
	}
}

func TestParseTests(t *testing.T) {
	tests := []struct {
		in      string
		want    []Test
		wantErr bool
	}{
		{"TCP_STREAM", []Test{TCPStream}, false},
		{"tcp_rr, udp_stream,TCP_RR", []Test{TCPRR, UDPStream}, false},
		{"TCP_BOGUS", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseTests(tt.in)
		if (err != nil) != tt.wantErr || strings.Join(testNames(got), ",") != strings.Join(testNames(tt.want), ",") {
			t.Errorf("ParseTests(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func testNames(ts []Test) []string {
	var s []string
	for _, t := range ts {
		s = append(s, string(t))
	}
	return s
}

// Every goroutine the server and client start must end with them.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := NewServer(ctx, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	_, err = Run(context.Background(), Options{Server: srv.Addr().String(),
		Tests:  []Test{TCPStream, TCPRR, TCPCRR, UDPRR, UDPStream},
		Params: Params{Duration: 200 * time.Millisecond, Streams: 2, Bidir: true}})
	if err != nil {
		t.Fatal(err)
	}
	// A client that gives up mid-test must not strand server goroutines either.
	cctx, ccancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err = Run(cctx, Options{Server: srv.Addr().String(), Tests: []Test{TCPStream}, Params: Params{Duration: 5 * time.Second}})
	ccancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("canceled run: err = %v, want deadline exceeded", err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
