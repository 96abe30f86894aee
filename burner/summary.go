package burner

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/perflab/perflab/results"
	"github.com/perflab/perflab/version"
)

// JobSummary is kube-burner's jobSummary document. Metadata (the cluster's
// k8sVersion and totalNodes, and --user-metadata) is written at the top
// level of the document, as kube-burner indexes it.
type JobSummary struct {
	Timestamp           time.Time  `json:"timestamp"`
	EndTimestamp        time.Time  `json:"endTimestamp"`
	ChurnStartTimestamp *time.Time `json:"churnStartTimestamp,omitempty"`
	ChurnEndTimestamp   *time.Time `json:"churnEndTimestamp,omitempty"`
	// ElapsedTime is endTimestamp - timestamp in whole seconds.
	ElapsedTime float64 `json:"elapsedTime"`
	// AchievedQps is the job's successful object operations (create,
	// delete, patch, read) per elapsed second, to three decimals (v1.17).
	AchievedQps     float64        `json:"achievedQps,omitempty"`
	UUID            string         `json:"uuid"`
	MetricName      string         `json:"metricName"`
	JobConfig       Job            `json:"jobConfig"`
	Version         string         `json:"version,omitempty"`
	Passed          bool           `json:"passed"`
	ExecutionErrors string         `json:"executionErrors,omitempty"`
	Metadata        map[string]any `json:"-"`
}

// MarshalJSON writes the summary with its metadata keys at the top level.
func (s JobSummary) MarshalJSON() ([]byte, error) {
	type plain JobSummary
	b, err := json.Marshal(plain(s))
	if err != nil || len(s.Metadata) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range s.Metadata {
		if _, own := m[k]; !own {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// summaryFigures are kube-burner's elapsedTime (whole seconds) and
// achievedQps (operations per elapsed second, rounded to 0.001).
func summaryFigures(start, end time.Time, ops int64) (elapsed, qps float64) {
	elapsed = end.Sub(start).Round(time.Second).Seconds()
	if elapsed > 0 {
		qps = math.Round(float64(ops)/elapsed*1000) / 1000
	}
	return elapsed, qps
}

// JobResult is what one job did.
type JobResult struct {
	Name        string
	Type        JobType
	Objects     int64 // successful create/patch/delete/read calls
	Errors      int64
	NotSent     int64 // calls never sent because the run's deadline came first
	ChurnErrors int   // logged by churn; they do not fail the job (kube-burner's rule)
	Retries     int64
	Requests    int64
	Elapsed     time.Duration
	AchievedQPS float64
	P99Ready    time.Duration // -1 if not measured
	Passed      bool
	Err         error
	// Start and End bound the job as kube-burner's jobSummary does: End
	// is after jobPause with metricsClosing afterJobPause (the default).
	Start, End time.Time
	ChurnStart *time.Time
	ChurnEnd   *time.Time
	Diagnosis  []string
	// Watchers are the job's watchers and the events each set saw.
	Watchers []WatcherResult
}

// WatcherResult is one watcher entry of a job after the job.
type WatcherResult struct {
	Kind     string
	Replicas int
	// Events is the add, update and delete notifications all replicas
	// received together (the initial list counts as adds).
	Events int64
}

// Report is the outcome of a run.
type Report struct {
	UUID, RunID string
	MetricsDir  string
	Jobs        []JobResult
}

func (r *Runner) summaries(rep *Report) []JobSummary {
	out := make([]JobSummary, 0, len(rep.Jobs))
	for i, jr := range rep.Jobs {
		elapsed, qps := summaryFigures(jr.Start, jr.End, jr.Objects)
		s := JobSummary{
			Timestamp: jr.Start.UTC(), EndTimestamp: jr.End.UTC(),
			ChurnStartTimestamp: jr.ChurnStart, ChurnEndTimestamp: jr.ChurnEnd,
			ElapsedTime: elapsed, AchievedQps: qps,
			UUID: r.o.UUID, MetricName: "jobSummary", JobConfig: r.spec.Jobs[i],
			Version: "perflab@" + version.Version, Passed: jr.Passed, Metadata: r.metadata,
		}
		if jr.Err != nil {
			s.ExecutionErrors = jr.Err.Error()
		}
		out = append(out, s)
	}
	return out
}

// Table is the final summary table of a run.
func (rep *Report) Table() *results.Table {
	t := &results.Table{
		Title:  fmt.Sprintf("perflab init %s", rep.UUID),
		Header: []string{"job", "type", "objects", "errors", "not sent", "retries", "elapsed", "achieved QPS", "P99 ready", "result"},
	}
	for _, j := range rep.Jobs {
		p99 := "-"
		if j.P99Ready >= 0 {
			p99 = fmt.Sprintf("%dms", j.P99Ready.Milliseconds())
		}
		res := "passed"
		if !j.Passed {
			res = "FAILED"
		}
		t.Add(j.Name, j.Type, j.Objects, j.Errors, j.NotSent, j.Retries, j.Elapsed.Round(10*time.Millisecond), fmt.Sprintf("%.1f", j.AchievedQPS), p99, res)
	}
	return t
}
