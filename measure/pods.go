package measure

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// PodTimes is what is known about one pod's start-up. Zero times were not
// (yet) observed.
type PodTimes struct {
	UID             types.UID
	Namespace, Name string
	Node            string
	// JobIteration and Replica come from kube-burner labels (-1 if absent).
	JobIteration, Replica int

	Created                time.Time // metadata.creationTimestamp
	Scheduled              time.Time // PodScheduled condition True
	ReadyToStartContainers time.Time
	Initialized            time.Time
	ContainersReady        time.Time
	Ready                  time.Time // Ready condition True (first time)
	// ContainersStarted is the kubelet's last Started event (with
	// TrackerOptions.Events).
	ContainersStarted time.Time
	Running           time.Time // latest container startedAt when first Running
	// WatchedReady is the local time the tracker first saw the pod Ready and
	// Running (ClusterLoader2's "watch" phase).
	WatchedReady time.Time
}

// TrackerOptions select the pods to track.
type TrackerOptions struct {
	Namespace string // "" for all
	Selector  string // label selector
	// IterationLabel and ReplicaLabel are read into JobIteration/Replica.
	IterationLabel, ReplicaLabel string
	// Now is the clock for WatchedReady (default time.Now).
	Now func() time.Time
	// Events also reads pod events, as kube-burner v2 does: Scheduled is
	// the scheduler's Scheduled event time (microseconds) when there is
	// one, ContainersStarted the kubelet's last Started event.
	Events bool
}

// PodTracker records PodTimes from a pod watch. Each pod is kept once as a
// podRecord, not as the full object.
type PodTracker struct {
	opts    TrackerOptions
	mu      sync.Mutex
	pods    map[types.UID]*podRecord
	strings map[string]string // namespaces and node names, stored once
}

// NewPodTracker returns a tracker; Start runs it.
func NewPodTracker(o TrackerOptions) *PodTracker {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &PodTracker{opts: o, pods: map[types.UID]*podRecord{}, strings: map[string]string{}}
}

// Start lists and watches the selected pods until ctx ends and returns once
// its initial list has been observed. Pods are observed as they arrive and
// not kept (kube.Sink): per pod only a podRecord stays in memory.
func (t *PodTracker) Start(ctx context.Context, cs kubernetes.Interface) error {
	pods := cs.CoreV1().Pods(t.opts.Namespace)
	err := observeEach(ctx, "pod tracker", cs, func(o *metav1.ListOptions) { o.LabelSelector = t.opts.Selector },
		func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) { return pods.List(ctx, o) },
		pods.Watch, t.Observe)
	if err != nil || !t.opts.Events {
		return err
	}
	// Pod events (kube-burner v2's sub-second Scheduled and Started).
	events := cs.CoreV1().Events(t.opts.Namespace)
	return observeEach(ctx, "pod events", cs, func(o *metav1.ListOptions) { o.FieldSelector = "involvedObject.kind=Pod" },
		func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) { return events.List(ctx, o) },
		events.Watch, t.ObserveEvent)
}

func labelInt(l map[string]string, key string) int {
	if key == "" {
		return -1
	}
	v, err := strconv.Atoi(l[key])
	if err != nil {
		return -1
	}
	return v
}

// Observe records one state of a pod. Start calls it for every event; tests
// may call it directly.
func (t *PodTracker) Observe(p *corev1.Pod) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.record(p.UID)
	if !r.seen {
		r.seen = true
		r.namespace, r.name = t.intern(p.Namespace), p.Name
		r.jobIteration = int32(labelInt(p.Labels, t.opts.IterationLabel))
		r.replica = int32(labelInt(p.Labels, t.opts.ReplicaLabel))
		r.created = nanos(p.CreationTimestamp.Time)
	}
	if r.node == "" {
		r.node = t.intern(p.Spec.NodeName)
	}
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		at := c.LastTransitionTime.Time
		switch c.Type {
		case corev1.PodScheduled:
			setFirst(&r.scheduled, at)
		case corev1.PodReadyToStartContainers:
			setFirst(&r.readyToStartContainers, at)
		case corev1.PodInitialized:
			setFirst(&r.initialized, at)
		case corev1.ContainersReady:
			setFirst(&r.containersReady, at)
		case corev1.PodReady:
			setFirst(&r.ready, at)
			if p.Status.Phase == corev1.PodRunning {
				setFirst(&r.watchedReady, t.opts.Now())
			}
		}
	}
	if p.Status.Phase == corev1.PodRunning && r.running == 0 {
		var last time.Time
		for _, cs := range p.Status.ContainerStatuses {
			if cs.State.Running != nil && cs.State.Running.StartedAt.After(last) {
				last = cs.State.Running.StartedAt.Time
			}
		}
		r.running = nanos(last)
	}
}

// record is uid's record, created (not yet seen) if there is none. t.mu is
// held.
func (t *PodTracker) record(uid types.UID) *podRecord {
	r := t.pods[uid]
	if r == nil {
		r = &podRecord{}
		t.pods[uid] = r
	}
	return r
}

// intern returns s, stored once per tracker. t.mu is held.
func (t *PodTracker) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := t.strings[s]; ok {
		return v
	}
	t.strings[s] = s
	return s
}

// Pods returns a copy of every tracked pod, sorted by namespace and name.
func (t *PodTracker) Pods() []PodTimes {
	t.mu.Lock()
	out := make([]PodTimes, 0, len(t.pods))
	for uid, r := range t.pods {
		if r.seen {
			out = append(out, r.times(uid))
		}
	}
	t.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// startedMissing counts the Ready pods without a Started event and says
// whether any pod has one, without copying the pods.
func (t *PodTracker) startedMissing() (missing int, anyStarted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range t.pods {
		if !r.seen {
			continue
		}
		anyStarted = anyStarted || r.eventStarted != 0
		if r.ready != 0 && r.eventStarted == 0 {
			missing++
		}
	}
	return missing, anyStarted
}

// Reset forgets every pod (between jobs).
func (t *PodTracker) Reset() {
	t.mu.Lock()
	t.pods = map[types.UID]*podRecord{}
	t.strings = map[string]string{}
	t.mu.Unlock()
}
