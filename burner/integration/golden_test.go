package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
)

// TestOutputsGolden runs a create job with podLatency on the embedded
// cluster and compares its jobSummary.json, podLatency files and summary
// table with the golden files under testdata/golden (go test -update
// rewrites them). What differs from run to run (timestamps, the uuid,
// latencies and durations) is replaced by placeholders first; everything
// else (field names and order, pod names, job config, metadata, counts) is
// compared as written.
func TestOutputsGolden(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := run(t, ctx, filepath.Join("testdata", "outputs", "config.yaml"))
	if out.err != nil {
		t.Fatal(out.err)
	}
	for _, f := range []string{"jobSummary.json", "podLatencyMeasurement-golden.json", "podLatencyQuantilesMeasurement-golden.json"} {
		b, err := os.ReadFile(filepath.Join(out.dir, f))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "golden", f), normalizeJSON(b, out.uuid))
	}

	// The table printed is the report's; its measured cells are fixed
	// before the comparison so the column widths are stable too.
	var printed bytes.Buffer
	if err := out.rep.Table().Render(&printed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains([]byte(out.stdout), printed.Bytes()) {
		t.Errorf("stdout lacks the summary table:\n%s", printed.Bytes())
	}
	rep := *out.rep
	rep.UUID = "<uuid>"
	rep.Jobs = append(rep.Jobs[:0:0], rep.Jobs...)
	for i := range rep.Jobs {
		j := &rep.Jobs[i]
		if j.Elapsed <= 0 || j.AchievedQPS <= 0 || j.P99Ready <= 0 {
			t.Errorf("job %s: elapsed %v, achieved QPS %v, P99 ready %v; want all > 0", j.Name, j.Elapsed, j.AchievedQPS, j.P99Ready)
		}
		j.Elapsed, j.AchievedQPS, j.P99Ready = time.Second, 1, time.Millisecond
	}
	var table bytes.Buffer
	if err := rep.Table().Render(&table); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "golden", "table.txt"), table.Bytes())
}

var (
	timestampField = regexp.MustCompile(`("[A-Za-z]*[tT]imestamp": )"[^"]*"`)
	// Latencies in milliseconds (podLatency's *Latency fields, the
	// quantiles) and the summary's elapsed seconds and achieved QPS. Only
	// non-negative numbers are replaced: a negative latency stays visible.
	measuredField = regexp.MustCompile(`("(?:[A-Za-z]+Latency|P99|P95|P50|min|max|avg|elapsedTime|achievedQps)": )[0-9][0-9.]*`)
)

// normalizeJSON replaces the run's uuid, timestamps and measured values in
// an indented JSON file by placeholders.
func normalizeJSON(b []byte, uuid string) []byte {
	b = bytes.ReplaceAll(b, []byte(uuid), []byte("<uuid>"))
	b = timestampField.ReplaceAll(b, []byte(`$1"<timestamp>"`))
	return measuredField.ReplaceAll(b, []byte(`$1"<measured>"`))
}
