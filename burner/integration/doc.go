// Package integration runs perflab's kube-burner engine against one embedded
// cluster per test process: the seed's examples, the qps/burst property,
// churn, Ctrl-C cleanup, the Too-many-pods diagnosis and the create-throughput
// benchmarks. It has no non-test code.
package integration
