package measure

import (
	"context"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

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

func phaseTime(p *PodTimes, phase string) time.Time {
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
// Start watches pods matching a selector, Collect computes transition
// percentiles and checks pod_startup against the thresholds (default 5s for
// p50, p90 and p99), for all pods and split into Stateless and Stateful.
type podStartupLatency struct {
	cfg           Config
	tracker       *PodTracker
	cancel        context.CancelFunc
	t50, t90, t99 time.Duration
}

func newPodStartupLatency(c Config) (Measurement, error) {
	th := c.Params.Duration("threshold", defaultPodStartupThreshold)
	return &podStartupLatency{cfg: c,
		t50: c.Params.Duration("perc50Threshold", th), t90: c.Params.Duration("perc90Threshold", th), t99: c.Params.Duration("perc99Threshold", th),
		tracker: NewPodTracker(TrackerOptions{Namespace: c.Namespace, Selector: c.Labels, Now: c.now}),
	}, nil
}

func (m *podStartupLatency) Start(ctx context.Context) error {
	tctx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	return m.tracker.Start(tctx, m.cfg.Client)
}

func (m *podStartupLatency) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *podStartupLatency) Collect(ctx context.Context, _ Params) (*Result, error) {
	defer m.Stop()
	stateful, running, err := listPods(ctx, m.cfg.Client, m.cfg.Selector)
	if err != nil {
		return nil, err
	}
	m.catchUp(ctx, running)
	m.Stop()
	return m.gather(m.cfg.ID, m.tracker.Pods(), stateful)
}

// catchUpWithin bounds how long gather waits for the watch to deliver
// pods the API already shows Running and Ready.
const catchUpWithin = 10 * time.Second

// catchUp waits until the tracker has seen every pod in running reach its
// watch phase, so that a gather right after a wait counts all of them.
func (m *podStartupLatency) catchUp(ctx context.Context, running map[string]bool) {
	deadline := m.cfg.now().Add(catchUpWithin)
	for {
		seen := 0
		for _, p := range m.tracker.Pods() {
			if running[p.Namespace+"/"+p.Name] && !p.WatchedReady.IsZero() {
				seen++
			}
		}
		if seen >= len(running) || !m.cfg.now().Before(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-m.cfg.Clock.After(100 * time.Millisecond):
		}
	}
}

// listPods lists the selected pods once: the Stateful ones (volumes other
// than emptyDir, downwardAPI, configMap, secret and projected) and those
// Running and Ready now.
func listPods(ctx context.Context, c kubernetes.Interface, s Selector) (stateful, running map[string]bool, err error) {
	l, err := c.CoreV1().Pods(s.Namespace).List(ctx, metav1.ListOptions{LabelSelector: s.Labels, FieldSelector: s.Fields})
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
func transitionLatencies(pods []PodTimes, keep func(*PodTimes) bool) map[string]LatencyMetric {
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
		out[tr.name] = NewLatencyMetric(ds)
	}
	return out
}

func (m *podStartupLatency) gather(id string, pods []PodTimes, stateful map[string]bool) (*Result, error) {
	isStateful := func(p *PodTimes) bool { return stateful[p.Namespace+"/"+p.Name] }
	groups := []struct {
		prefix string
		keep   func(*PodTimes) bool
	}{
		{"", func(*PodTimes) bool { return true }},
		{"Stateless", func(p *PodTimes) bool { return !isStateful(p) }},
		{"Stateful", isStateful},
	}
	out := &Result{}
	for _, g := range groups {
		lat := transitionLatencies(pods, g.keep)
		name := g.prefix + "PodStartupLatency"
		out.Files = append(out.Files, File{Name: name + "_" + id, Data: latencyPerfData(lat)})
		ps := lat["pod_startup"]
		if ps.Count == 0 && g.prefix != "" {
			continue
		}
		detail := fmt.Sprintf("pod_startup p50 %v, p90 %v, p99 %v over %d pods; threshold %v", Round(ps.P50), Round(ps.P90), Round(ps.P99), ps.Count, m.t99)
		bad := ps.Exceeds(m.t50, m.t90, m.t99)
		if bad != "" {
			detail = "pod_startup " + bad + fmt.Sprintf(" over %d pods", ps.Count)
		}
		out.Checks = append(out.Checks, Check{Name: name + " " + id, Pass: bad == "", Detail: detail, Enforced: true})
	}
	return out, nil
}

// Round rounds d to milliseconds for messages.
func Round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

// latencyPerfData renders transition latencies as perfdash data (ms).
func latencyPerfData(lat map[string]LatencyMetric) results.PerfData {
	names := make([]string, 0, len(lat))
	for n := range lat {
		names = append(names, n)
	}
	sort.Strings(names)
	pd := results.PerfData{Version: "1.0"}
	for _, n := range names {
		l := lat[n]
		pd.DataItems = append(pd.DataItems, results.DataItem{
			Data:   map[string]float64{"Perc50": Millis(l.P50), "Perc90": Millis(l.P90), "Perc99": Millis(l.P99)},
			Unit:   "ms",
			Labels: map[string]string{"Metric": n},
		})
	}
	return pd
}
