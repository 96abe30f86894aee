package measure

import (
	"context"

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
		IterationLabel: kube.LabelJobIteration, ReplicaLabel: kube.LabelReplica,
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

func (m *podLatency) Collect(_ context.Context, _ Params) (*Result, error) {
	m.Stop()
	docs, qs := PodLatencies(m.tracker.Pods(), m.cfg.UUID, m.cfg.Job, m.cfg.now())
	return kubeBurnerResult(m.cfg, PodLatencyMetric, PodLatencyQuantilesMetric, docs, qs), nil
}
