// Package integration holds the metrics package's end-to-end tests: one
// embedded cluster (TestMain) scraped by a real Prometheus while a load runs.
// It has no code outside its tests.
package integration
