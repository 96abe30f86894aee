package measure

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
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

// PodTracker records PodTimes from a pod informer. Each pod is stored once as
// a small struct, not as the full object.
type PodTracker struct {
	opts   TrackerOptions
	mu     sync.Mutex
	pods   map[types.UID]*PodTimes
	events map[types.UID]*podEvents
}

// NewPodTracker returns a tracker; Start runs it.
func NewPodTracker(o TrackerOptions) *PodTracker {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &PodTracker{opts: o, pods: map[types.UID]*PodTimes{}, events: map[types.UID]*podEvents{}}
}

// Start runs a pod informer until ctx ends and returns once its initial list
// has been observed.
func (t *PodTracker) Start(ctx context.Context, cs kubernetes.Interface) error {
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0,
		informers.WithNamespace(t.opts.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = t.opts.Selector }),
		informers.WithTransform(func(obj any) (any, error) {
			if p, ok := obj.(*corev1.Pod); ok {
				t.Observe(p)
				// Keep only what the store needs to key the object.
				return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, UID: p.UID, ResourceVersion: p.ResourceVersion}}, nil
			}
			return obj, nil
		}),
	)
	inf := f.Core().V1().Pods().Informer()
	go inf.RunWithContext(ctx)
	if t.opts.Events {
		if err := t.startEvents(ctx, cs); err != nil {
			return err
		}
	}
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return fmt.Errorf("pod tracker: %w", ctx.Err())
	}
	return nil
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
	pt, ok := t.pods[p.UID]
	if !ok {
		pt = &PodTimes{
			UID: p.UID, Namespace: p.Namespace, Name: p.Name,
			JobIteration: labelInt(p.Labels, t.opts.IterationLabel),
			Replica:      labelInt(p.Labels, t.opts.ReplicaLabel),
			Created:      p.CreationTimestamp.UTC(),
		}
		t.pods[p.UID] = pt
	}
	if pt.Node == "" {
		pt.Node = p.Spec.NodeName
	}
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		at := c.LastTransitionTime.UTC()
		switch c.Type {
		case corev1.PodScheduled:
			setOnce(&pt.Scheduled, at)
		case corev1.PodReadyToStartContainers:
			setOnce(&pt.ReadyToStartContainers, at)
		case corev1.PodInitialized:
			setOnce(&pt.Initialized, at)
		case corev1.ContainersReady:
			setOnce(&pt.ContainersReady, at)
		case corev1.PodReady:
			setOnce(&pt.Ready, at)
			if p.Status.Phase == corev1.PodRunning {
				setOnce(&pt.WatchedReady, t.opts.Now().UTC())
			}
		}
	}
	if p.Status.Phase == corev1.PodRunning && pt.Running.IsZero() {
		var last time.Time
		for _, cs := range p.Status.ContainerStatuses {
			if cs.State.Running != nil && cs.State.Running.StartedAt.After(last) {
				last = cs.State.Running.StartedAt.UTC()
			}
		}
		pt.Running = last
	}
}

func setOnce(dst *time.Time, at time.Time) {
	if dst.IsZero() {
		*dst = at
	}
}

// Pods returns a copy of every tracked pod, sorted by namespace and name.
func (t *PodTracker) Pods() []PodTimes {
	t.mu.Lock()
	out := make([]PodTimes, 0, len(t.pods))
	for uid, p := range t.pods {
		pt := *p
		if ev := t.events[uid]; ev != nil {
			if !ev.scheduled.IsZero() {
				pt.Scheduled = ev.scheduled
			}
			pt.ContainersStarted = ev.started
		}
		out = append(out, pt)
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

// Reset forgets every pod (between jobs).
func (t *PodTracker) Reset() {
	t.mu.Lock()
	t.pods = map[types.UID]*PodTimes{}
	t.events = map[types.UID]*podEvents{}
	t.mu.Unlock()
}
