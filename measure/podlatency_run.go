package measure

import (
	"context"
	"time"

	"github.com/perflab/perflab/kube"
)

// podLatency is kube-burner's podLatency: a pod tracker over the job's
// pods from Start to Collect, written as podLatencyMeasurement-<job> and
// podLatencyQuantilesMeasurement-<job>.
type podLatency struct {
	cfg     Config
	tracker *PodTracker
	cancel  context.CancelFunc
}

func newPodLatency(c Config) (Measurement, error) {
	return &podLatency{cfg: c, tracker: NewPodTracker(TrackerOptions{
		Namespace: c.Namespace, Selector: c.Labels,
		IterationLabel: kube.LabelJobIteration, ReplicaLabel: kube.LabelReplica, Events: true,
	})}, nil
}

func (m *podLatency) Start(ctx context.Context) error {
	tctx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	return m.tracker.Start(tctx, m.cfg.Client)
}

func (m *podLatency) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *podLatency) Collect(ctx context.Context, _ Params) (*Result, error) {
	m.awaitStarted(ctx)
	m.Stop()
	pods := m.tracker.Pods()
	m.tracker.Reset() // its records are not needed while the documents are written
	docs, qs := PodLatencies(pods, m.cfg.UUID, m.cfg.Job, m.cfg.now())
	return kubeBurnerResult(m.cfg, PodLatencyMetric, PodLatencyQuantilesMetric, docs, qs), nil
}

// startedWithin bounds how long Collect waits for the Started events of
// Ready pods (events are written after the status; kube-burner retries for
// up to a minute per pod).
const startedWithin = 10 * time.Second

// awaitStarted waits until every Ready pod has its Started event, unless
// no pod has one (a cluster whose nodes emit none).
func (m *podLatency) awaitStarted(ctx context.Context) {
	deadline := m.cfg.now().Add(startedWithin)
	for m.cfg.now().Before(deadline) {
		missing, anyStarted := m.tracker.startedMissing()
		if missing == 0 || !anyStarted {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}
