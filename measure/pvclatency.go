package measure

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/perflab/perflab/kube"
)

// kube-burner's pvcLatency names.
const (
	PVCLatencyMetric          = "pvcLatencyMeasurement"
	PVCLatencyQuantilesMetric = "pvcLatencyQuantilesMeasurement"
)

// pvcQuantiles are the quantile names of pvcLatency, in output order.
var pvcQuantiles = []string{string(corev1.ClaimPending), string(corev1.ClaimBound), string(corev1.ClaimLost), "Resize"}

// PVCLatency is one PVC's document in pvcLatencyMeasurement-<job>.json
// (kube-burner's fields): milliseconds from when the watch first saw the
// claim to its first Pending, Bound and Lost phase, and of its last resize.
type PVCLatency struct {
	Timestamp       time.Time `json:"timestamp"`
	PendingLatency  int       `json:"pendingLatency"`
	BindingLatency  int       `json:"bindingLatency"`
	LostLatency     int       `json:"lostLatency"`
	ResizeLatency   int       `json:"resizeLatency"`
	ResizedCapacity string    `json:"resizedCapacity,omitempty"`
	UUID            string    `json:"uuid"`
	Name            string    `json:"pvcName"`
	JobName         string    `json:"jobName,omitempty"`
	Namespace       string    `json:"namespace"`
	MetricName      string    `json:"metricName"`
	Size            string    `json:"size"`
	StorageClass    string    `json:"storageClass"`
	JobIteration    int       `json:"jobIteration"`
	Replica         int       `json:"replica"`
	Metadata        any       `json:"metadata,omitempty"`
}

// pvcTimes is what the watch saw of one claim; times are local, as
// kube-burner takes them (a claim's phases carry no timestamps).
type pvcTimes struct {
	doc                        PVCLatency
	seen, pending, bound, lost time.Time
	resizeStarted, resizeDone  time.Time
}

// pvcTracker records pvcTimes of the selected claims.
type pvcTracker struct {
	now  func() time.Time
	mu   sync.Mutex
	pvcs map[types.UID]*pvcTimes
}

func (t *pvcTracker) observe(obj any) {
	c, ok := obj.(*corev1.PersistentVolumeClaim)
	if !ok {
		return
	}
	now := t.now().UTC()
	size := c.Spec.Resources.Requests.Storage().String()
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.pvcs[c.UID]
	if !ok {
		class := "unknown"
		if c.Spec.StorageClassName != nil {
			class = *c.Spec.StorageClassName
		}
		p = &pvcTimes{seen: now, doc: PVCLatency{Timestamp: now, Name: c.Name, Namespace: c.Namespace, Size: size, StorageClass: class,
			JobIteration: labelInt(c.Labels, kube.LabelJobIteration), Replica: labelInt(c.Labels, kube.LabelReplica)}}
		t.pvcs[c.UID] = p
	}
	if size == p.doc.Size {
		switch c.Status.Phase {
		case corev1.ClaimPending:
			setOnce(&p.pending, now)
		case corev1.ClaimBound:
			setOnce(&p.bound, now)
		case corev1.ClaimLost:
			setOnce(&p.lost, now)
		}
		return
	}
	setOnce(&p.resizeStarted, now)
	if capacity := c.Status.Capacity.Storage().String(); capacity == size && p.resizeDone.IsZero() {
		p.resizeDone, p.doc.ResizedCapacity = now, capacity
	}
}

// PVCLatencies are the documents and quantiles of the claims that reached
// Bound or Lost or were resized (kube-burner leaves the rest out).
func (t *pvcTracker) latencies(uuid, job string, now time.Time) ([]PVCLatency, []LatencyQuantiles) {
	t.mu.Lock()
	defer t.mu.Unlock()
	docs := []PVCLatency{}
	per := map[string][]float64{}
	for _, p := range t.pvcs {
		if p.bound.IsZero() && p.lost.IsZero() && p.resizeStarted.IsZero() {
			continue
		}
		d := p.doc
		d.UUID, d.JobName, d.MetricName = uuid, job, PVCLatencyMetric
		d.PendingLatency, d.BindingLatency, d.LostLatency = sinceSeen(p.seen, p.pending), sinceSeen(p.seen, p.bound), sinceSeen(p.seen, p.lost)
		if !p.resizeDone.IsZero() {
			d.ResizeLatency = msBetween(p.resizeStarted, p.resizeDone)
		}
		docs = append(docs, d)
		for i, v := range []int{d.PendingLatency, d.BindingLatency, d.LostLatency, d.ResizeLatency} {
			per[pvcQuantiles[i]] = append(per[pvcQuantiles[i]], float64(v))
		}
	}
	sortByKey(docs, func(d PVCLatency) string { return d.Namespace + "/" + d.Name })
	return docs, latencyQuantiles(PVCLatencyQuantilesMetric, uuid, job, now, pvcQuantiles, per)
}

// sinceSeen is at - seen in milliseconds, 0 when at was not observed.
func sinceSeen(seen, at time.Time) int {
	if at.IsZero() {
		return 0
	}
	return msBetween(seen, at)
}

// pvcLatency is kube-burner's pvcLatency.
type pvcLatency struct {
	cfg     Config
	tracker *pvcTracker
	cancel  context.CancelFunc
}

func newPVCLatency(c Config) (Measurement, error) {
	return &pvcLatency{cfg: c, tracker: &pvcTracker{now: c.now, pvcs: map[types.UID]*pvcTimes{}}}, nil
}

func (m *pvcLatency) Start(ctx context.Context) error {
	tctx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	f := informerFactory(m.cfg.Client, m.cfg.Selector)
	if err := observe(f.Core().V1().PersistentVolumeClaims().Informer(), m.tracker.observe); err != nil {
		return err
	}
	return runInformers(tctx, f, "pvcLatency")
}

func (m *pvcLatency) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *pvcLatency) Collect(context.Context, Params) (*Result, error) {
	m.Stop()
	docs, qs := m.tracker.latencies(m.cfg.UUID, m.cfg.Job, m.cfg.now())
	return kubeBurnerResult(m.cfg, PVCLatencyMetric, PVCLatencyQuantilesMetric, docs, qs), nil
}
