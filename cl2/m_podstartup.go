package cl2

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
)

const defaultPodStartupThreshold = 5 * time.Second

// podStartupTransitions are CL2's PodStartupLatency transitions. Times are
// when perflab's watch saw a pod first (create), first bound to a node
// (schedule) and first Running (run = watch).
var podStartupTransitions = []struct{ name, from, to string }{
	{"create_to_run", "create", "run"},
	{"create_to_schedule", "create", "schedule"},
	{"pod_startup", "create", "watch"},
	{"run_to_watch", "run", "watch"},
	{"schedule_to_run", "schedule", "run"},
	{"schedule_to_watch", "schedule", "watch"},
}

type podPhases struct {
	create, schedule, run time.Time
	stateless             bool
}

func (p *podPhases) at(phase string) time.Time {
	switch phase {
	case "create":
		return p.create
	case "schedule":
		return p.schedule
	}
	return p.run // run and watch coincide
}

// podStartupLatency is CL2's PodStartupLatency: start watches pods matching
// a selector, gather computes transition percentiles and checks pod_startup
// against the thresholds (default 5s for p50, p90 and p99).
type podStartupLatency struct {
	mu            sync.Mutex
	stop          context.CancelFunc
	pods          map[string]*podPhases
	t50, t90, t99 time.Duration
	clock         clock.Clock
}

func newPodStartupLatency() measurement { return &podStartupLatency{} }

func (m *podStartupLatency) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	switch c.action {
	case "start":
		if m.stop != nil {
			return nil, nil // already running, as in CL2
		}
		th := c.params.duration("threshold", defaultPodStartupThreshold)
		m.t50, m.t90, m.t99 = c.params.duration("perc50Threshold", th), c.params.duration("perc90Threshold", th), c.params.duration("perc99Threshold", th)
		m.pods, m.clock = map[string]*podPhases{}, e.clock
		stop, err := watchPods(ctx, e.client, selectorOf(c.params), m.observe)
		m.stop = stop
		return nil, err
	case "gather":
		if m.stop == nil {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		m.stop()
		m.stop = nil
		return m.gather(c.identifier)
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

func (m *podStartupLatency) dispose() {
	if m.stop != nil {
		m.stop()
	}
}

func (m *podStartupLatency) observe(pod *corev1.Pod, deleted bool) {
	if deleted {
		return
	}
	now := m.clock.Now()
	key := pod.Namespace + "/" + pod.Name
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pods[key]
	if !ok {
		p = &podPhases{create: now}
		m.pods[key] = p
	}
	p.stateless = isStateless(pod)
	if pod.Spec.NodeName != "" && p.schedule.IsZero() {
		p.schedule = now
	}
	if pod.Status.Phase == corev1.PodRunning && p.run.IsZero() {
		p.run = now
	}
}

// isStateless: only emptyDir, downwardAPI, configMap, secret and projected volumes.
func isStateless(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.EmptyDir == nil && v.DownwardAPI == nil && v.ConfigMap == nil && v.Secret == nil && v.Projected == nil {
			return false
		}
	}
	return true
}

// transitionLatencies computes every transition over the pods passing keep.
func transitionLatencies(pods map[string]*podPhases, keep func(*podPhases) bool) map[string]LatencyMetric {
	out := map[string]LatencyMetric{}
	for _, tr := range podStartupTransitions {
		var ds []time.Duration
		for _, p := range pods {
			if !keep(p) {
				continue
			}
			from, to := p.at(tr.from), p.at(tr.to)
			if from.IsZero() || to.IsZero() {
				continue
			}
			ds = append(ds, max(to.Sub(from), 0))
		}
		out[tr.name] = newLatencyMetric(ds)
	}
	return out
}

func (m *podStartupLatency) gather(id string) (*outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	groups := []struct {
		prefix string
		keep   func(*podPhases) bool
	}{
		{"", func(*podPhases) bool { return true }},
		{"Stateless", func(p *podPhases) bool { return p.stateless }},
		{"Stateful", func(p *podPhases) bool { return !p.stateless }},
	}
	now := m.clock.Now()
	out := &outcome{}
	for _, g := range groups {
		lat := transitionLatencies(m.pods, g.keep)
		content, err := latencyPerfData(lat)
		if err != nil {
			return nil, err
		}
		name := g.prefix + "PodStartupLatency"
		out.summaries = append(out.summaries, Summary{Name: name + "_" + id, Ext: "json", Content: content, Time: now})
		ps := lat["pod_startup"]
		if ps.Count == 0 && g.prefix != "" {
			continue
		}
		detail := fmt.Sprintf("pod_startup p50 %v, p90 %v, p99 %v over %d pods; threshold %v", round(ps.P50), round(ps.P90), round(ps.P99), ps.Count, m.t99)
		bad := ps.exceeds(m.t50, m.t90, m.t99)
		if bad != "" {
			detail = "pod_startup " + bad + fmt.Sprintf(" over %d pods", ps.Count)
		}
		out.checks = append(out.checks, Check{Name: name + " " + id, Pass: bad == "", Detail: detail, Enforced: true})
	}
	return out, nil
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

// latencyPerfData renders transition latencies as perfdash JSON (ms).
func latencyPerfData(lat map[string]LatencyMetric) ([]byte, error) {
	names := make([]string, 0, len(lat))
	for n := range lat {
		names = append(names, n)
	}
	sort.Strings(names)
	pd := PerfData{Version: "1.0"}
	for _, n := range names {
		l := lat[n]
		pd.DataItems = append(pd.DataItems, DataItem{
			Data:   map[string]float64{"Perc50": ms(l.P50), "Perc90": ms(l.P90), "Perc99": ms(l.P99)},
			Unit:   "ms",
			Labels: map[string]string{"Metric": n},
		})
	}
	return json.MarshalIndent(pd, "", "  ")
}

// podSelector is CL2's object selector: namespace, label and field selectors.
type podSelector struct{ namespace, labels, fields string }

func selectorOf(p params) podSelector {
	return podSelector{namespace: p.str("namespace", ""), labels: p.str("labelSelector", ""), fields: p.str("fieldSelector", "")}
}

func (s podSelector) String() string {
	return fmt.Sprintf("namespace(%s), labelSelector(%s), fieldSelector(%s)", s.namespace, s.labels, s.fields)
}

// watchPods runs a pod informer and calls fn for every added or updated pod
// (and for deleted ones, with deleted true) until the returned stop is
// called or ctx ends. It returns once synced.
func watchPods(ctx context.Context, c kubernetes.Interface, s podSelector, fn func(pod *corev1.Pod, deleted bool)) (context.CancelFunc, error) {
	ctx, cancel := context.WithCancel(ctx)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector, o.FieldSelector = s.labels, s.fields
			return c.CoreV1().Pods(s.namespace).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector, o.FieldSelector = s.labels, s.fields
			return c.CoreV1().Pods(s.namespace).Watch(ctx, o)
		},
	}
	inf := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{})
	handle := func(obj any) {
		if p, ok := obj.(*corev1.Pod); ok {
			fn(p, false)
		}
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    handle,
		UpdateFunc: func(_, obj any) { handle(obj) },
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				fn(p, true)
			}
		},
	}); err != nil {
		cancel()
		return nil, err
	}
	done := make(chan struct{})
	go func() { defer close(done); inf.RunWithContext(ctx) }()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		cancel()
		<-done
		return nil, fmt.Errorf("pod watch %s: not synced: %w", s, ctx.Err())
	}
	return func() { cancel(); <-done }, nil
}
