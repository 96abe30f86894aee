package burner

import (
	"fmt"
	"time"

	"github.com/perflab/perflab/results"
	"github.com/perflab/perflab/version"
)

// JobSummary is kube-burner's jobSummary document.
type JobSummary struct {
	Timestamp           time.Time  `json:"timestamp"`
	EndTimestamp        time.Time  `json:"endTimestamp"`
	ChurnStartTimestamp *time.Time `json:"churnStartTimestamp,omitempty"`
	ChurnEndTimestamp   *time.Time `json:"churnEndTimestamp,omitempty"`
	ElapsedTime         float64    `json:"elapsedTime"`
	AchievedQps         float64    `json:"achievedQps,omitempty"`
	UUID                string     `json:"uuid"`
	MetricName          string     `json:"metricName"`
	JobConfig           Job        `json:"jobConfig"`
	Version             string     `json:"version,omitempty"`
	Passed              bool       `json:"passed"`
	ExecutionErrors     string     `json:"executionErrors,omitempty"`
}

// JobResult is what one job did.
type JobResult struct {
	Name        string
	Type        JobType
	Objects     int64 // successful create/patch/delete/read calls
	Errors      int64
	Retries     int64
	Requests    int64
	Elapsed     time.Duration
	AchievedQPS float64
	P99Ready    time.Duration // -1 if not measured
	Passed      bool
	Err         error
	Start, End  time.Time
	ChurnStart  *time.Time
	ChurnEnd    *time.Time
	Diagnosis   []string
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
		s := JobSummary{
			Timestamp: jr.Start.UTC(), EndTimestamp: jr.End.UTC(),
			ChurnStartTimestamp: jr.ChurnStart, ChurnEndTimestamp: jr.ChurnEnd,
			ElapsedTime: jr.Elapsed.Round(time.Millisecond).Seconds(), AchievedQps: jr.AchievedQPS,
			UUID: r.o.UUID, MetricName: "jobSummary", JobConfig: r.spec.Jobs[i],
			Version: "perflab@" + version.Version, Passed: jr.Passed,
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
		Header: []string{"job", "type", "objects", "errors", "retries", "elapsed", "achieved QPS", "P99 ready", "result"},
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
		t.Add(j.Name, j.Type, j.Objects, j.Errors, j.Retries, j.Elapsed.Round(10*time.Millisecond), fmt.Sprintf("%.1f", j.AchievedQPS), p99, res)
	}
	return t
}
