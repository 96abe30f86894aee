// Package metrics is perflab's window on Prometheus data.
//
// It holds three layers that share one vocabulary (series, labels, windows):
//
//   - Local figures without any Prometheus server: Scrape reads a /metrics
//     endpoint with expfmt into a Snapshot, Delta subtracts two snapshots the
//     way rate/increase treat counters, and HistogramQuantile is the one
//     implementation of Prometheus's histogram_quantile used across perflab
//     (the ClusterLoader2 API-responsiveness measurement included).
//   - Queries against a Prometheus server: kube-burner metric profiles and
//     alert profiles, evaluated over job windows, and the local indexer that
//     writes kube-burner's <metricName>.json documents.
//   - A managed Prometheus process (the "prometheus" binary on PATH) started
//     for an embedded cluster and stopped with it.
package metrics
