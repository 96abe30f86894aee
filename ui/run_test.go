package ui

import (
	"testing"
	"time"

	"github.com/perflab/perflab/progress"
)

func TestRunTrackerSamplesTheCurrentJob(t *testing.T) {
	clock := time.Unix(1000, 0)
	now := func() time.Time { return clock }
	var tr runTracker
	tr.record(clock) // no job yet: nothing
	job := progress.New(progress.Options{Name: "create", Now: now})
	job.SetTotal(150)
	tr.track(job)
	job.Add(40)
	clock = clock.Add(2 * time.Second)
	tr.record(clock)
	job.Add(60)
	job.SetReady(90, 150)
	clock = clock.Add(2 * time.Second)
	tr.record(clock)

	c := tr.chart()
	if c.Jobs != 1 || c.Job.Name != "create" || c.Job.Done != 100 || c.Job.Total != 150 || c.Job.Ready != 90 {
		t.Errorf("chart job = %+v (jobs %d)", c.Job, c.Jobs)
	}
	want := [][4]float64{{1002000, 40, 20, 0}, {1004000, 100, 30, 90}}
	if len(c.Points) != 2 || c.Points[0] != want[0] || c.Points[1] != want[1] {
		t.Errorf("points = %v, want %v (the first rate since the start, then over the interval)", c.Points, want)
	}
}
