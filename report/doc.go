// Package report turns result directories into one self-contained HTML page
// and compares two runs (or two groups of repeated runs) figure by figure.
//
// It reads what perflab writes and what kube-burner and ClusterLoader2 write
// themselves (same file names and JSON shapes): jobSummary.json,
// podLatencyMeasurement-<job>.json and podLatencyQuantilesMeasurement-<job>.json,
// kube-burner metric documents (<metricName>.json), ClusterLoader2 perfdash
// files (<Summary>_<test>_<time>.json) with junit.xml, and netperf results.
// The page carries aggregates only (histograms, downsampled series); the raw
// samples stay in the result files.
package report
