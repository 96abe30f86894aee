// Package cl2 runs ClusterLoader2 test configs: it reads a CL2 config (a Go
// template rendered with CL2_* environment variables and --testoverrides
// files), decodes it strictly with file:line errors, paces phase actions with
// CL2's tuning sets, reconciles the declarative phases (create, update,
// delete of <basename>-<i> per namespace) and runs CL2 measurements
// (PodStartupLatency, APIResponsivenessPrometheus, SchedulingThroughput, the
// wait measurements, Timer and Sleep). Results are written as perfdash JSON
// files, a junit.xml and a one-screen PASS/FAIL summary.
//
// The object creation, rate limiting, waiting, pod latency bookkeeping and
// result writing are the shared machinery of packages kube, wait, measure and
// results; this package is the CL2 front-end on top of them.
package cl2
