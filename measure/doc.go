// Package measure holds perflab's measurements and their one registry.
//
// A Measurement starts, is collected (stopped) into a Result of JSON files
// and Checks (verdicts against thresholds), and is stopped. Default is the
// registry by name: kube-burner's names (podLatency, ...) and
// ClusterLoader2's method names (PodStartupLatency, SchedulingThroughput,
// ...) map to the implementations here, ClusterLoader2's steps (waits,
// timers) to its engine, and every other name either tool knows to a
// reason it is skipped. The engines (burner, cl2) look names up here and
// write what a Result holds; adding a measurement is one file with its
// Factory plus one line in names.go.
//
// The pod tracker (PodTracker) records each pod's creation and condition
// transitions once, in a small record per pod (the pods themselves are not
// kept: kube.Sink); kube-burner's podLatency and ClusterLoader2's
// PodStartupLatency and SchedulingThroughput read its PodTimes. Quantiles
// are nearest-rank. Unlike package metrics (Prometheus and /metrics), this
// package watches API objects.
package measure
