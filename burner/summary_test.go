package burner

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/internal/golden"
	"github.com/perflab/perflab/results"
)

func TestSummaryFigures(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		d       time.Duration
		ops     int64
		elapsed float64
		qps     float64
	}{
		{"whole seconds, as kube-burner rounds", 6669 * time.Millisecond, 20, 7, 2.857},
		{"half a second rounds up", 2500 * time.Millisecond, 5, 3, 1.667},
		{"under half a second is 0 and no qps", 400 * time.Millisecond, 5, 0, 0},
		{"exact", 10 * time.Second, 100, 10, 10},
	} {
		e, q := summaryFigures(t0, t0.Add(tc.d), tc.ops)
		if e != tc.elapsed || q != tc.qps {
			t.Errorf("%s: elapsed %v qps %v, want %v %v", tc.name, e, q, tc.elapsed, tc.qps)
		}
	}
}

func TestJobSummaryJSON(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e, q := summaryFigures(t0, t0.Add(6669*time.Millisecond), 20)
	s := JobSummary{Timestamp: t0, EndTimestamp: t0.Add(6669 * time.Millisecond), ElapsedTime: e, AchievedQps: q, UUID: "u",
		MetricName: "jobSummary", JobConfig: Job{Name: "j"}, Passed: true,
		Metadata: map[string]any{"k8sVersion": "v1.34.0", "totalNodes": 3, "team": "perf", "uuid": "not-this"}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"k8sVersion": "v1.34.0", "totalNodes": 3.0, "team": "perf", "uuid": "u", "passed": true,
		"elapsedTime": 7.0, "achievedQps": 2.857, "metricName": "jobSummary"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if strings.Contains(string(b), "0000000") {
		t.Errorf("float artefact in %s", b)
	}
	var back JobSummary
	if err := json.Unmarshal(b, &back); err != nil || back.JobConfig.Name != "j" {
		t.Errorf("round trip: %v %+v", err, back)
	}
}

// TestOutputsGolden writes jobSummary.json and renders the summary table of
// a fixed two-job report (one with churn and metadata, one failed without
// a P99) and compares them with testdata/golden (go test -update rewrites
// them). burner/integration compares a real run's files the same way.
func TestOutputsGolden(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	churnStart, churnEnd := t0.Add(10*time.Second), t0.Add(70*time.Second)
	r := &Runner{
		o: Options{UUID: "3f0c2a5e-uuid"},
		spec: &Spec{Jobs: []Job{
			{Name: "create-pods", JobType: CreateJob, JobIterations: 10, QPS: 20, Burst: 20, Namespace: "golden", Churn: true},
			{Name: "drop", JobType: DeleteJob, QPS: 5, Burst: 5},
		}},
		metadata: map[string]any{"k8sVersion": "v1.36.3", "totalNodes": 3, "team": "perf"},
	}
	rep := &Report{UUID: r.o.UUID, RunID: "run-1", Jobs: []JobResult{
		{Name: "create-pods", Type: CreateJob, Objects: 20, Retries: 2, Elapsed: 80*time.Second + 123*time.Millisecond,
			AchievedQPS: 0.25, P99Ready: 1234 * time.Millisecond, Passed: true,
			Start: t0, End: t0.Add(80*time.Second + 123*time.Millisecond), ChurnStart: &churnStart, ChurnEnd: &churnEnd},
		{Name: "drop", Type: DeleteJob, Objects: 7, Errors: 3, NotSent: 10, Elapsed: 2400 * time.Millisecond,
			AchievedQPS: 3.5, P99Ready: -1, Err: errors.New("3 deletes failed"),
			Start: t0.Add(81 * time.Second), End: t0.Add(83*time.Second + 400*time.Millisecond)},
	}}
	dir, err := results.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.WriteJSON("jobSummary.json", r.summaries(rep)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir.Path, "jobSummary.json"))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "golden", "jobSummary.json"), b)
	var table bytes.Buffer
	if err := rep.Table().Render(&table); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "golden", "table.txt"), table.Bytes())
}
