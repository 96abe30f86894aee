// Package clusterbench holds what `perflab cluster bench` measures and writes:
// the Result of one size (start-up, pod throughput, RSS, API call latency
// per verb with its SLO verdict), the list of sizes from the command line,
// the child process that runs one size (a process holds one embedded
// cluster), and the bench.json and table outputs. The measuring itself is
// cluster.Bench; the chart page is report.BuildBenchPage. This package does
// not import the control plane, so the report builds without it.
package clusterbench
