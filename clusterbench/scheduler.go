package clusterbench

import (
	"math"
	"time"

	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
)

// Scheduler is the in-process scheduler's own account of the load phase,
// from its metrics (they register in the registry the API server's
// /metrics serves).
type Scheduler struct {
	// Scheduled and Unschedulable count scheduling attempts by result
	// (scheduler_schedule_attempts_total).
	Scheduled     int `json:"scheduled"`
	Unschedulable int `json:"unschedulable"`
	// AttemptP50/P99: one scheduling attempt that placed a pod
	// (scheduler_scheduling_attempt_duration_seconds, result="scheduled").
	AttemptP50 time.Duration `json:"attemptP50Ns"`
	AttemptP99 time.Duration `json:"attemptP99Ns"`
	// PodSLIP99: a pod's time from entering the queue to being scheduled,
	// retries included (scheduler_pod_scheduling_sli_duration_seconds).
	PodSLIP99 time.Duration `json:"podSchedulingSliP99Ns"`
}

// SchedulerOf reads the scheduler's figures from the difference of two
// scrapes (metrics.Delta); metrics the build lacks stay zero.
func SchedulerOf(d *metrics.Snapshot) Scheduler {
	var s Scheduler
	for _, se := range d.Sum("scheduler_schedule_attempts_total", nil, "result") {
		switch se.Labels["result"] {
		case "scheduled":
			s.Scheduled = int(math.Round(se.Value))
		case "unschedulable":
			s.Unschedulable = int(math.Round(se.Value))
		}
	}
	scheduled := func(l metrics.Labels) bool { return l["result"] == "scheduled" }
	for _, h := range d.SumHistogram("scheduler_scheduling_attempt_duration_seconds", scheduled) {
		s.AttemptP50, s.AttemptP99 = measure.Seconds(h.Quantile(0.5)), measure.Seconds(h.Quantile(0.99))
	}
	for _, h := range d.SumHistogram("scheduler_pod_scheduling_sli_duration_seconds", nil) {
		s.PodSLIP99 = measure.Seconds(h.Quantile(0.99))
	}
	return s
}
