package measure

import (
	"context"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/perflab/perflab/kube"
)

// kube-burner's jobLatency names.
const (
	JobLatencyMetric          = "jobLatencyMeasurement"
	JobLatencyQuantilesMetric = "jobLatencyQuantilesMeasurement"
	CondJobStartTime          = "StartTime"
	CondJobComplete           = "Complete"
)

// JobLatency is one Job's document in jobLatencyMeasurement-<job>.json
// (kube-burner's fields): milliseconds from the Job's creation to its
// status.startTime and to its Complete condition.
type JobLatency struct {
	Timestamp         time.Time `json:"timestamp"`
	StartTimeLatency  int       `json:"startTimeLatency"`
	CompletionLatency int       `json:"completionLatency"`
	MetricName        string    `json:"metricName"`
	UUID              string    `json:"uuid"`
	JobName           string    `json:"jobName,omitempty"`
	JobIteration      int       `json:"jobIteration"`
	Replica           int       `json:"replica"`
	Namespace         string    `json:"namespace"`
	Name              string    `json:"k8sJobName"`
	Metadata          any       `json:"metadata,omitempty"`
}

// JobTimes is what is known about one Job's lifecycle; zero times were not
// (yet) observed.
type JobTimes struct {
	Namespace, Name       string
	JobIteration, Replica int
	Created, Started      time.Time
	Completed             time.Time // Complete condition (kube-burner)
	CompletionTime        time.Time // status.completionTime (ClusterLoader2)
}

// jobTracker records JobTimes of the selected Jobs.
type jobTracker struct {
	mu   sync.Mutex
	jobs map[types.UID]*JobTimes
}

func newJobTracker() *jobTracker { return &jobTracker{jobs: map[types.UID]*JobTimes{}} }

func (t *jobTracker) observe(obj any) {
	j, ok := obj.(*batchv1.Job)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	jt, ok := t.jobs[j.UID]
	if !ok {
		jt = &JobTimes{Namespace: j.Namespace, Name: j.Name, Created: j.CreationTimestamp.UTC(),
			JobIteration: labelInt(j.Labels, kube.LabelJobIteration), Replica: labelInt(j.Labels, kube.LabelReplica)}
		t.jobs[j.UID] = jt
	}
	if j.Status.StartTime != nil {
		setOnce(&jt.Started, j.Status.StartTime.UTC())
	}
	if j.Status.CompletionTime != nil {
		setOnce(&jt.CompletionTime, j.Status.CompletionTime.UTC())
	}
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
			setOnce(&jt.Completed, c.LastTransitionTime.UTC())
		}
	}
}

func (t *jobTracker) times() []JobTimes {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]JobTimes, 0, len(t.jobs))
	for _, j := range t.jobs {
		out = append(out, *j)
	}
	sortByKey(out, func(j JobTimes) string { return j.Namespace + "/" + j.Name })
	return out
}

// start runs a Job informer over sel until ctx ends.
func (t *jobTracker) start(ctx context.Context, c Config) error {
	f := informerFactory(c.Client, c.Selector)
	if err := observe(f.Batch().V1().Jobs().Informer(), t.observe); err != nil {
		return err
	}
	return runInformers(ctx, f, "job tracker")
}

// JobLatencies computes kube-burner's jobLatency documents and quantiles;
// Jobs that never completed are left out, as in kube-burner.
func JobLatencies(jobs []JobTimes, uuid, job string, now time.Time) ([]JobLatency, []LatencyQuantiles) {
	docs := make([]JobLatency, 0, len(jobs))
	per := map[string][]float64{}
	for _, j := range jobs {
		if j.Completed.IsZero() {
			continue
		}
		d := JobLatency{Timestamp: j.Created, StartTimeLatency: msBetween(j.Created, j.Started),
			CompletionLatency: msBetween(j.Created, j.Completed), MetricName: JobLatencyMetric, UUID: uuid, JobName: job,
			JobIteration: j.JobIteration, Replica: j.Replica, Namespace: j.Namespace, Name: j.Name}
		docs = append(docs, d)
		per[CondJobStartTime] = append(per[CondJobStartTime], float64(d.StartTimeLatency))
		per[CondJobComplete] = append(per[CondJobComplete], float64(d.CompletionLatency))
	}
	return docs, latencyQuantiles(JobLatencyQuantilesMetric, uuid, job, now, []string{CondJobStartTime, CondJobComplete}, per)
}

// jobLatency is kube-burner's jobLatency.
type jobLatency struct {
	cfg     Config
	tracker *jobTracker
	cancel  context.CancelFunc
}

func newJobLatency(c Config) (Measurement, error) {
	return &jobLatency{cfg: c, tracker: newJobTracker()}, nil
}

func (m *jobLatency) Start(ctx context.Context) error {
	tctx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	return m.tracker.start(tctx, m.cfg)
}

func (m *jobLatency) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *jobLatency) Collect(context.Context, Params) (*Result, error) {
	m.Stop()
	docs, qs := JobLatencies(m.tracker.times(), m.cfg.UUID, m.cfg.Job, m.cfg.now())
	return kubeBurnerResult(m.cfg, JobLatencyMetric, JobLatencyQuantilesMetric, docs, qs), nil
}

// kubeBurnerResult is a kube-burner latency measurement's files
// (<metric>-<job> and <quantiles metric>-<job>) and threshold checks.
func kubeBurnerResult(c Config, metric, quantilesMetric string, docs any, qs []LatencyQuantiles) *Result {
	return &Result{
		Files: []File{
			{Name: metric + "-" + c.Job, Data: docs},
			{Name: quantilesMetric + "-" + c.Job, Data: qs},
		},
		Checks:    ThresholdChecks(c.Name, c.Thresholds, qs),
		Quantiles: qs,
	}
}
