// Package measure turns informer events into measurements. PodTracker records
// each pod's creation and condition transitions once; kube-burner's podLatency
// (PodLatency) and ClusterLoader2's PodStartupLatency both read its PodTimes.
// Quantiles are nearest-rank.
package measure
