// Package netperf is perflab's network benchmark engine: a server and a client
// speaking a small JSON-over-TCP control protocol, and the tests they run
// between them without any external binary:
//
//   - TCP_STREAM: one or more streams (each its own connection and goroutine),
//     forward, reverse (server sends) or bidirectional;
//   - TCP_RR and UDP_RR: request/response with one transaction in flight;
//   - TCP_CRR: connect, request, response, close per transaction;
//   - UDP_STREAM: paced datagrams with loss and jitter measured at the receiver.
//
// Each test reports sender and receiver throughput, TCP_INFO retransmits and
// RTT, latency percentiles from a log-linear histogram, transaction rate, and
// the CPU seconds the client and the server process used during the test
// (getrusage(RUSAGE_SELF) deltas, so Go runtime overhead is included),
// expressed as CPU seconds per Gbit transferred. Repeated samples are
// reported as a mean with a 95% confidence interval.
//
// The data path uses Go's netpoller with 128 KiB writes and 256 KiB reads and
// does not allocate per write; measured against iperf3 it is the cheaper
// choice over blocking syscalls on locked threads (docs/benchmarks.md).
//
// Sockets are created through a Namespace (nil means the current one), which
// is how package netperf/lab runs both ends inside network namespaces.
package netperf
