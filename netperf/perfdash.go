package netperf

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/perflab/perflab/results"
)

// PerfdashFileName is NetworkPerformance_benchmark_<RFC 3339 UTC time>.json.
func PerfdashFileName(now time.Time) string {
	return results.PerfdashFileName("NetworkPerformance", "benchmark", now, "json")
}

// perfdash converts results to data items: latency tests give a latency item
// (µs percentiles) and a transaction-rate item, throughput tests a
// throughput item (Mbit/s).
func perfdash(rs []Result) results.PerfData {
	d := results.PerfData{Version: "v1", DataItems: []results.DataItem{}}
	for _, r := range rs {
		labels := func(metric string) map[string]string {
			l := map[string]string{"Metric": metric, "Test": string(r.Test), "Scenario": r.Scenario,
				"Streams": fmt.Sprint(r.Streams), "Duration": dur(r.DurationSeconds)}
			if r.Node != "" {
				l["Node"] = r.Node
			}
			if r.MSS != 0 {
				l["MSS"] = fmt.Sprint(r.MSS)
			}
			if r.BigTCP != "" {
				l["BigTCP"] = r.BigTCP
			}
			if r.Direction != "" {
				l["Direction"] = r.Direction
			}
			return l
		}
		if tests[r.Test].latency {
			d.DataItems = append(d.DataItems,
				results.DataItem{Unit: "us", Labels: labels("Latency"), Data: map[string]float64{
					"Min": r.LatencyMinUs, "Mean": r.LatencyMeanUs, "Perc50": r.LatencyP50Us,
					"Perc90": r.LatencyP90Us, "Perc99": r.LatencyP99Us, "Max": r.LatencyMaxUs}},
				results.DataItem{Unit: "op/s", Labels: labels("TransactionRate"), Data: map[string]float64{
					"Rate": r.TransactionsPerSecond, "CI95": r.TransactionsPerSecondCI95}})
			continue
		}
		data := map[string]float64{"Throughput": r.ThroughputBps / 1e6, "CI95": r.ThroughputCI95Bps / 1e6,
			"Sender": r.SenderThroughputBps / 1e6, "Retransmits": r.Retransmits, "CPUSecondsPerGbit": r.CPUSecondsPerGbit}
		if r.Test == UDPStream {
			data["LossPercent"] = r.UDPLossPercent
			data["JitterUs"] = r.UDPJitterUs
		}
		d.DataItems = append(d.DataItems, results.DataItem{Unit: "Mbit/s", Labels: labels("Throughput"), Data: data})
	}
	return d
}

// WritePerfdash writes rs as a perfdash file into dir and returns its path.
func WritePerfdash(dir string, rs []Result, now time.Time) (string, error) {
	d, err := results.NewDir(dir)
	if err != nil {
		return "", err
	}
	name := PerfdashFileName(now)
	if err := d.WriteJSON(name, perfdash(rs)); err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// ResultsFileName is the results file a run with a report directory writes
// there: {"results": [...]}, as -o json prints; perflab report reads it.
const ResultsFileName = "netperf-results.json"

// WriteResults writes rs as ResultsFileName into dir and returns its path.
func WriteResults(dir string, rs []Result) (string, error) {
	d, err := results.NewDir(dir)
	if err != nil {
		return "", err
	}
	if err := d.WriteJSON(ResultsFileName, struct {
		Results []Result `json:"results"`
	}{rs}); err != nil {
		return "", err
	}
	return filepath.Join(dir, ResultsFileName), nil
}
