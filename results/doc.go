// Package results is perflab's one result writer: JSON documents written
// atomically into a run's metrics directory, and plain-text summary tables.
package results
