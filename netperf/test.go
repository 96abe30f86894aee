package netperf

import (
	"fmt"
	"sort"
	"strings"
)

// Test is a benchmark type, named as netperf and cilium connectivity perf name them.
type Test string

// The tests the engine runs.
const (
	TCPStream Test = "TCP_STREAM"
	TCPRR     Test = "TCP_RR"
	TCPCRR    Test = "TCP_CRR"
	UDPRR     Test = "UDP_RR"
	UDPStream Test = "UDP_STREAM"
)

// testInfo describes what a test measures.
type testInfo struct {
	udp        bool // data over the server's UDP socket
	latency    bool // per-transaction latency histogram
	throughput bool // bytes per second is the headline figure
}

var tests = map[Test]testInfo{
	TCPStream: {throughput: true},
	TCPRR:     {latency: true},
	TCPCRR:    {latency: true},
	UDPRR:     {udp: true, latency: true},
	UDPStream: {udp: true, throughput: true},
}

// Tests lists the known test names, sorted.
func Tests() []Test {
	out := make([]Test, 0, len(tests))
	for t := range tests {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ParseTests parses a comma-separated list such as "TCP_STREAM,tcp_rr".
func ParseTests(s string) ([]Test, error) {
	var out []Test
	seen := map[Test]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		t := Test(f)
		if _, ok := tests[t]; !ok {
			return nil, fmt.Errorf("unknown test %q: want one of %s", f, joinTests(Tests()))
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no test given: want one of %s", joinTests(Tests()))
	}
	return out, nil
}

func joinTests(ts []Test) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
