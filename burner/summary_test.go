package burner

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
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
