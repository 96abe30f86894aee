package cl2

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/results"
)

const defaultPodStartupThreshold = 5 * time.Second

// podStartupTransitions are CL2's PodStartupLatency transitions between
// create (metadata.creationTimestamp), schedule (PodScheduled condition),
// run (containers started) and watch (when perflab's watch first saw the
// pod Running and Ready).
var podStartupTransitions = []struct{ name, from, to string }{
	{"create_to_run", "create", "run"},
	{"create_to_schedule", "create", "schedule"},
	{"pod_startup", "create", "watch"},
	{"run_to_watch", "run", "watch"},
	{"schedule_to_run", "schedule", "run"},
	{"schedule_to_watch", "schedule", "watch"},
}

func phaseTime(p *measure.PodTimes, phase string) time.Time {
	switch phase {
	case "create":
		return p.Created
	case "schedule":
		return p.Scheduled
	case "run":
		return p.Running
	}
	return p.WatchedReady
}

// podStartupLatency is CL2's PodStartupLatency on the shared pod tracker:
// start watches pods matching a selector, gather computes transition
// percentiles and checks pod_startup against the thresholds (default 5s for
// p50, p90 and p99), for all pods and split into Stateless and Stateful.
type podStartupLatency struct {
	tracker       *measure.PodTracker
	sel           podSelector
	stop          context.CancelFunc
	t50, t90, t99 time.Duration
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
		m.sel = selectorOf(c.params)
		tctx, cancel := context.WithCancel(ctx)
		m.tracker = measure.NewPodTracker(measure.TrackerOptions{Namespace: m.sel.namespace, Selector: m.sel.labels, Now: e.clock.Now})
		if err := m.tracker.Start(tctx, e.client); err != nil {
			cancel()
			return nil, err
		}
		m.stop = cancel
		return nil, nil
	case "gather":
		if m.stop == nil {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		stateful, running, err := listPods(ctx, e, m.sel)
		if err != nil {
			return nil, err
		}
		m.catchUp(ctx, e, running)
		m.stop()
		m.stop = nil
		return m.gather(c.identifier, m.tracker.Pods(), stateful, e.clock.Now())
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

func (m *podStartupLatency) dispose() {
	if m.stop != nil {
		m.stop()
	}
}

// catchUpWithin bounds how long gather waits for the watch to deliver
// pods the API already shows Running and Ready.
const catchUpWithin = 10 * time.Second

// catchUp waits until the tracker has seen every pod in running reach its
// watch phase, so that a gather right after a wait counts all of them.
func (m *podStartupLatency) catchUp(ctx context.Context, e *env, running map[string]bool) {
	deadline := e.clock.Now().Add(catchUpWithin)
	for {
		seen := 0
		for _, p := range m.tracker.Pods() {
			if running[p.Namespace+"/"+p.Name] && !p.WatchedReady.IsZero() {
				seen++
			}
		}
		if seen >= len(running) || !e.clock.Now().Before(deadline) {
			return
		}
		if !sleepUntil(ctx, e.clock, e.clock.Now().Add(100*time.Millisecond)) {
			return
		}
	}
}

// listPods lists the selected pods once: the Stateful ones (volumes other
// than emptyDir, downwardAPI, configMap, secret and projected) and those
// Running and Ready now.
func listPods(ctx context.Context, e *env, s podSelector) (stateful, running map[string]bool, err error) {
	l, err := e.client.CoreV1().Pods(s.namespace).List(ctx, metav1.ListOptions{LabelSelector: s.labels, FieldSelector: s.fields})
	if err != nil {
		return nil, nil, fmt.Errorf("list pods %s: %w", s, err)
	}
	stateful, running = map[string]bool{}, map[string]bool{}
	for i := range l.Items {
		p := &l.Items[i]
		key := p.Namespace + "/" + p.Name
		if !isStateless(p) {
			stateful[key] = true
		}
		if p.Status.Phase == corev1.PodRunning && podReadyCondition(p) {
			running[key] = true
		}
	}
	return stateful, running, nil
}

func podReadyCondition(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func isStateless(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.EmptyDir == nil && v.DownwardAPI == nil && v.ConfigMap == nil && v.Secret == nil && v.Projected == nil {
			return false
		}
	}
	return true
}

// transitionLatencies computes every transition over the pods passing keep;
// negative spans (second-granular API timestamps) count as zero, as in CL2.
func transitionLatencies(pods []measure.PodTimes, keep func(*measure.PodTimes) bool) map[string]LatencyMetric {
	out := map[string]LatencyMetric{}
	for _, tr := range podStartupTransitions {
		var ds []time.Duration
		for i := range pods {
			p := &pods[i]
			if !keep(p) {
				continue
			}
			from, to := phaseTime(p, tr.from), phaseTime(p, tr.to)
			if from.IsZero() || to.IsZero() {
				continue
			}
			ds = append(ds, max(to.Sub(from), 0))
		}
		out[tr.name] = newLatencyMetric(ds)
	}
	return out
}

func (m *podStartupLatency) gather(id string, pods []measure.PodTimes, stateful map[string]bool, now time.Time) (*outcome, error) {
	isStateful := func(p *measure.PodTimes) bool { return stateful[p.Namespace+"/"+p.Name] }
	groups := []struct {
		prefix string
		keep   func(*measure.PodTimes) bool
	}{
		{"", func(*measure.PodTimes) bool { return true }},
		{"Stateless", func(p *measure.PodTimes) bool { return !isStateful(p) }},
		{"Stateful", isStateful},
	}
	out := &outcome{}
	for _, g := range groups {
		lat := transitionLatencies(pods, g.keep)
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
	pd := results.PerfData{Version: "1.0"}
	for _, n := range names {
		l := lat[n]
		pd.DataItems = append(pd.DataItems, results.DataItem{
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
