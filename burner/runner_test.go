package burner

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/runenv"
)

// newTestRunner is a runner on an address nothing listens on: enough for
// what NewRunner and a job's state do before the first call to a cluster.
func newTestRunner(t *testing.T, spec *Spec) *Runner {
	t.Helper()
	env, err := runenv.New(&rest.Config{Host: "https://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(env, spec, Options{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// NewRunner and the jobs' state work on the runner's copy: the caller's
// spec (global waitWhenFinished turns the jobs' own waits off, an unset
// maxWaitTimeout takes the run's timeout) stays as it was given.
func TestNewRunnerLeavesSpecAlone(t *testing.T) {
	spec := &Spec{
		Global: Global{WaitWhenFinished: true},
		Jobs:   []Job{{Name: "a", JobType: CreateJob, PodWait: true, WaitWhenFinished: true, QPS: 5, Burst: 5}},
	}
	r := newTestRunner(t, spec)
	r.jobRun(0)
	if j := spec.Jobs[0]; !j.PodWait || !j.WaitWhenFinished || j.MaxWaitTimeout != 0 {
		t.Errorf("caller's job changed: podWait %v waitWhenFinished %v maxWaitTimeout %v", j.PodWait, j.WaitWhenFinished, j.MaxWaitTimeout)
	}
	if j := r.spec.Jobs[0]; j.PodWait || j.WaitWhenFinished || j.MaxWaitTimeout != time.Minute {
		t.Errorf("runner's job: podWait %v waitWhenFinished %v maxWaitTimeout %v, want false false 1m", j.PodWait, j.WaitWhenFinished, j.MaxWaitTimeout)
	}
}

// A job's state (rate limiter, progress, prepared templates) is made once
// per job, however many phases (image pre-loading, the job, the global
// wait) use it: its rate is logged once.
func TestJobRunMadeOncePerJob(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	r := newTestRunner(t, &Spec{Jobs: []Job{{Name: "a", JobType: CreateJob, QPS: 5, Burst: 5}}})
	first := r.jobRun(0)
	if again := r.jobRun(0); again != first {
		t.Error("second use of job 0 made a new state")
	}
	if n := strings.Count(logs.String(), "job rate"); n != 1 {
		t.Errorf("job rate logged %d times, want 1:\n%s", n, logs.String())
	}
}
