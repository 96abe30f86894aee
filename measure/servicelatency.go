package measure

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/types"
)

// kube-burner's serviceLatency names.
const (
	ServiceLatencyMetric          = "svcLatencyMeasurement"
	ServiceLatencyQuantilesMetric = "svcLatencyQuantilesMeasurement"
	// serviceLatencyAnnotation set to "false" leaves a Service out.
	serviceLatencyAnnotation = "kube-burner.io/service-latency"
)

// ServiceLatency is one Service's document in svcLatencyMeasurement-<job>.json
// (kube-burner's fields; durations in nanoseconds, as kube-burner writes
// them). On perflab's simulated nodes no traffic flows, so Ready is the
// time from when the watch saw the Service to when one of its
// EndpointSlices first listed an address (kube-burner: from then until a
// probe connects); IPAssigned is the time until a LoadBalancer Service got
// an ingress address.
type ServiceLatency struct {
	Timestamp         time.Time          `json:"timestamp"`
	IPAssignedLatency time.Duration      `json:"ipAssigned,omitempty"`
	ReadyLatency      time.Duration      `json:"ready"`
	MetricName        string             `json:"metricName"`
	UUID              string             `json:"uuid"`
	Namespace         string             `json:"namespace"`
	Name              string             `json:"service"`
	ServiceType       corev1.ServiceType `json:"type"`
	JobName           string             `json:"jobName,omitempty"`
	Metadata          any                `json:"metadata,omitempty"`
}

type svcTimes struct {
	doc           ServiceLatency
	seen, ingress time.Time
}

// svcTracker pairs Services with the first address of their
// EndpointSlices.
type svcTracker struct {
	now      func() time.Time
	mu       sync.Mutex
	services map[types.UID]*svcTimes
	// readyAt is when a Service (namespace/name) first had an address.
	readyAt map[string]time.Time
}

func (t *svcTracker) observeService(obj any) {
	s, ok := obj.(*corev1.Service)
	if !ok || s.Annotations[serviceLatencyAnnotation] == "false" {
		return
	}
	now := t.now().UTC()
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.services[s.UID]
	if !ok {
		st = &svcTimes{seen: now, doc: ServiceLatency{Timestamp: s.CreationTimestamp.UTC(), Namespace: s.Namespace, Name: s.Name, ServiceType: s.Spec.Type}}
		t.services[s.UID] = st
	}
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer && len(s.Status.LoadBalancer.Ingress) > 0 {
		setOnce(&st.ingress, now)
	}
}

func (t *svcTracker) observeSlice(obj any) {
	es, ok := obj.(*discoveryv1.EndpointSlice)
	if !ok {
		return
	}
	svc := es.Labels[discoveryv1.LabelServiceName]
	if svc == "" {
		return
	}
	for _, e := range es.Endpoints {
		if len(e.Addresses) > 0 {
			key := es.Namespace + "/" + svc
			t.mu.Lock()
			if _, ok := t.readyAt[key]; !ok {
				t.readyAt[key] = t.now().UTC()
			}
			t.mu.Unlock()
			return
		}
	}
}

// latencies are the documents of the Services that got an address, and
// the Ready and IPAssigned quantiles (nanoseconds).
func (t *svcTracker) latencies(uuid, job string, now time.Time) ([]ServiceLatency, []LatencyQuantiles) {
	t.mu.Lock()
	defer t.mu.Unlock()
	docs := []ServiceLatency{}
	per := map[string][]float64{}
	for _, st := range t.services {
		ready, ok := t.readyAt[st.doc.Namespace+"/"+st.doc.Name]
		if !ok {
			continue
		}
		d := st.doc
		d.UUID, d.JobName, d.MetricName = uuid, job, ServiceLatencyMetric
		d.ReadyLatency = max(ready.Sub(st.seen), 0)
		per["Ready"] = append(per["Ready"], float64(d.ReadyLatency))
		if !st.ingress.IsZero() {
			d.IPAssignedLatency = max(st.ingress.Sub(st.seen), 0)
			per["IPAssigned"] = append(per["IPAssigned"], float64(d.IPAssignedLatency))
		}
		docs = append(docs, d)
	}
	sortByKey(docs, func(d ServiceLatency) string { return d.Namespace + "/" + d.Name })
	return docs, latencyQuantiles(ServiceLatencyQuantilesMetric, uuid, job, now, []string{"Ready", "IPAssigned"}, per)
}

// serviceLatency is kube-burner's serviceLatency on simulated nodes.
type serviceLatency struct {
	cfg     Config
	tracker *svcTracker
	cancel  context.CancelFunc
}

func newServiceLatency(c Config) (Measurement, error) {
	return &serviceLatency{cfg: c, tracker: &svcTracker{now: c.now, services: map[types.UID]*svcTimes{}, readyAt: map[string]time.Time{}}}, nil
}

func (m *serviceLatency) Start(ctx context.Context) error {
	tctx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	svcs := informerFactory(m.cfg.Client, m.cfg.Selector)
	if err := observe(svcs.Core().V1().Services().Informer(), m.tracker.observeService); err != nil {
		return err
	}
	// EndpointSlices carry the controller's labels, not the run's.
	slices := informerFactory(m.cfg.Client, Selector{Namespace: m.cfg.Namespace, Labels: discoveryv1.LabelServiceName})
	if err := observe(slices.Discovery().V1().EndpointSlices().Informer(), m.tracker.observeSlice); err != nil {
		return err
	}
	if err := runInformers(tctx, slices, "serviceLatency"); err != nil {
		return err
	}
	return runInformers(tctx, svcs, "serviceLatency")
}

func (m *serviceLatency) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *serviceLatency) Collect(context.Context, Params) (*Result, error) {
	m.Stop()
	docs, qs := m.tracker.latencies(m.cfg.UUID, m.cfg.Job, m.cfg.now())
	// kube-burner judges no thresholds for serviceLatency.
	return &Result{
		Files: []File{
			{Name: ServiceLatencyMetric + "-" + m.cfg.Job, Data: docs},
			{Name: ServiceLatencyQuantilesMetric + "-" + m.cfg.Job, Data: qs},
		},
		Quantiles: qs,
	}, nil
}
