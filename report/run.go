package report

import (
	"time"

	"github.com/perflab/perflab/clusterbench"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/netperf"
	"github.com/perflab/perflab/results"
)

// Kind is what produced a result directory.
type Kind string

// The kinds of result directories Load recognises.
const (
	KubeBurner     Kind = "kube-burner"
	ClusterLoader2 Kind = "clusterloader2"
	Netperf        Kind = "netperf"
	Metrics        Kind = "metrics"
	ClusterBench   Kind = "cluster-bench" // perflab cluster bench --report-dir
)

// Run is one result directory as read from disk.
type Run struct {
	Dir  string
	Kind Kind
	// Info is the run header perflab wrote (perflab-run.json), if any.
	Info *RunInfo

	Jobs      []JobSummary
	Pods      map[string][]measure.PodLatency       // by job
	Quantiles map[string][]measure.LatencyQuantiles // by job
	Series    map[string][]metrics.Document         // kube-burner metric documents by metricName
	Alerts    []metrics.AlertDocument
	// Figures are API server figures over a window: perflab init's
	// perflab-apiserver-figures.json or `perflab metrics snapshot --json`.
	Figures *Figures

	Perfdash []PerfdashFile
	JUnit    *JUnit

	Netperf []netperf.Result

	Bench *clusterbench.File
}

// JobSummary is the part of kube-burner's jobSummary document the report
// uses. kube-burner itself writes more fields into jobConfig (and older
// versions other types for its durations), so the report reads only these.
type JobSummary struct {
	Timestamp       time.Time `json:"timestamp"`
	EndTimestamp    time.Time `json:"endTimestamp"`
	ElapsedTime     float64   `json:"elapsedTime"`
	AchievedQps     float64   `json:"achievedQps"`
	UUID            string    `json:"uuid"`
	Version         string    `json:"version"`
	Passed          bool      `json:"passed"`
	ExecutionErrors string    `json:"executionErrors"`
	// K8sVersion and TotalNodes are metadata kube-burner (and perflab)
	// write at the top level of the document.
	K8sVersion string `json:"k8sVersion"`
	TotalNodes int    `json:"totalNodes"`
	JobConfig  struct {
		Name          string  `json:"name"`
		JobType       string  `json:"jobType"`
		JobIterations int     `json:"jobIterations"`
		QPS           float64 `json:"qps"`
		Burst         int     `json:"burst"`
		Namespace     string  `json:"namespace"`
		VerifyObjects bool    `json:"verifyObjects"`
		Objects       []struct {
			ObjectTemplate string `json:"objectTemplate"`
			Replicas       int    `json:"replicas"`
		} `json:"objects"`
	} `json:"jobConfig"`
}

// Figures is the JSON of metrics.Figures.
type Figures struct {
	Start         time.Time        `json:"start"`
	End           time.Time        `json:"end"`
	WindowSeconds float64          `json:"windowSeconds"`
	TotalRequests float64          `json:"totalRequests"`
	Figures       []metrics.Figure `json:"figures"`
}

// Seconds is the job's duration: endTimestamp − timestamp, which is exact,
// where elapsedTime is whole seconds in kube-burner 1.17's files.
func (j JobSummary) Seconds() float64 {
	if d := j.EndTimestamp.Sub(j.Timestamp); !j.Timestamp.IsZero() && d > 0 {
		return d.Seconds()
	}
	return j.ElapsedTime
}

// PerfdashFile is one perfdash JSON file: ClusterLoader2's measurement
// summaries and netperf's NetworkPerformance file.
type PerfdashFile struct {
	Path    string
	Summary string // the file name's first part: PodStartupLatency, APIResponsivenessPrometheus, ...
	Test    string
	Time    time.Time
	Data    results.PerfData
}

// JUnit is ClusterLoader2's junit.xml: one testsuite of steps and SLOs.
type JUnit struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     float64     `xml:"time,attr"`
	Cases    []JUnitCase `xml:"testcase"`
}

// JUnitCase is one testcase: a step, a measurement or an SLO verdict.
type JUnitCase struct {
	Name    string  `xml:"name,attr"`
	Time    float64 `xml:"time,attr"`
	Failure *struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	SystemOut string `xml:"system-out"`
}

// Start and End bound the run: the header's times when present, else the
// earliest and latest job timestamps.
func (r *Run) Start() time.Time {
	if r.Info != nil && !r.Info.Start.IsZero() {
		return r.Info.Start
	}
	var t time.Time
	for _, j := range r.Jobs {
		if t.IsZero() || j.Timestamp.Before(t) {
			t = j.Timestamp
		}
	}
	return t
}

// End is the run's end; see Start.
func (r *Run) End() time.Time {
	if r.Info != nil && !r.Info.End.IsZero() {
		return r.Info.End
	}
	var t time.Time
	for _, j := range r.Jobs {
		if j.EndTimestamp.After(t) {
			t = j.EndTimestamp
		}
	}
	return t
}

// Partial says why the run's data is incomplete ("" when it is not): the
// run timed out, was interrupted or failed before writing its summary.
func (r *Run) Partial() string {
	if r.Info != nil && r.Info.ExitCode != 0 {
		why := r.Info.Why
		if why == "" {
			why = "the run failed"
		}
		switch r.Info.ExitCode {
		case 2:
			return "timed out: " + why
		case 130:
			return "interrupted: " + why
		case 3, 4:
			return "" // thresholds and alerts: the data is complete
		}
		return "failed: " + why
	}
	switch {
	case r.empty():
		return "no results were written: the run ended before its first result"
	case r.Kind == KubeBurner && len(r.Jobs) == 0:
		return "no jobSummary.json: the run ended before writing its summary (timed out or interrupted)"
	}
	return ""
}

func (r *Run) empty() bool {
	return len(r.Jobs) == 0 && len(r.Pods) == 0 && len(r.Perfdash) == 0 && r.JUnit == nil && len(r.Netperf) == 0 && len(r.Series) == 0 && r.Figures == nil &&
		(r.Bench == nil || len(r.Bench.Results) == 0)
}
