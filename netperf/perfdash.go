package netperf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// perfdashData is the perf-tests perfdash document: {"version", "dataItems"}.
type perfdashData struct {
	Version   string         `json:"version"`
	DataItems []perfdashItem `json:"dataItems"`
}

type perfdashItem struct {
	Data   map[string]float64 `json:"data"`
	Unit   string             `json:"unit"`
	Labels map[string]string  `json:"labels"`
}

// PerfdashFileName is NetworkPerformance_benchmark_<RFC 3339 UTC time>.json.
func PerfdashFileName(now time.Time) string {
	return fmt.Sprintf("NetworkPerformance_benchmark_%s.json", now.UTC().Format(time.RFC3339))
}

// perfdash converts results to data items: latency tests give a latency item
// (µs percentiles) and a transaction-rate item, throughput tests a
// throughput item (Mbit/s).
func perfdash(rs []Result) perfdashData {
	d := perfdashData{Version: "v1", DataItems: []perfdashItem{}}
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
				perfdashItem{Unit: "us", Labels: labels("Latency"), Data: map[string]float64{
					"Min": r.LatencyMinUs, "Mean": r.LatencyMeanUs, "Perc50": r.LatencyP50Us,
					"Perc90": r.LatencyP90Us, "Perc99": r.LatencyP99Us, "Max": r.LatencyMaxUs}},
				perfdashItem{Unit: "op/s", Labels: labels("TransactionRate"), Data: map[string]float64{
					"Rate": r.TransactionsPerSecond, "CI95": r.TransactionsPerSecondCI95}})
			continue
		}
		data := map[string]float64{"Throughput": r.ThroughputBps / 1e6, "CI95": r.ThroughputCI95Bps / 1e6,
			"Sender": r.SenderThroughputBps / 1e6, "Retransmits": r.Retransmits, "CPUSecondsPerGbit": r.CPUSecondsPerGbit}
		if r.Test == UDPStream {
			data["LossPercent"] = r.UDPLossPercent
			data["JitterUs"] = r.UDPJitterUs
		}
		d.DataItems = append(d.DataItems, perfdashItem{Unit: "Mbit/s", Labels: labels("Throughput"), Data: data})
	}
	return d
}

// WritePerfdash writes rs as a perfdash file into dir and returns its path.
func WritePerfdash(dir string, rs []Result, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("report dir: %w", err)
	}
	b, err := json.MarshalIndent(perfdash(rs), "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, PerfdashFileName(now))
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}
