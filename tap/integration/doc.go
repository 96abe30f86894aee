// Package integration tests the tap against one embedded cluster per test
// process, started with its audit log on: client-go through the written
// kubeconfig, a 1,000-request burst, bad input, the audit log's records,
// and the latency the tap adds (BenchmarkTapOverhead). It has no non-test
// code.
package integration
