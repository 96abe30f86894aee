package measure

import (
	"context"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
)

// podEvents are the event times of one pod that pod latency reads.
type podEvents struct {
	scheduled time.Time // the scheduler's Scheduled event
	started   time.Time // the kubelet's last Started event
}

// startEvents runs an informer on pod events that records their times.
func (t *PodTracker) startEvents(ctx context.Context, cs kubernetes.Interface) error {
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0,
		informers.WithNamespace(t.opts.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.FieldSelector = "involvedObject.kind=Pod" }),
		informers.WithTransform(func(obj any) (any, error) {
			if e, ok := obj.(*corev1.Event); ok {
				t.ObserveEvent(e)
				return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: e.Name, Namespace: e.Namespace, UID: e.UID, ResourceVersion: e.ResourceVersion}}, nil
			}
			return obj, nil
		}),
	)
	f.Core().V1().Events().Informer()
	return runInformers(ctx, f, "pod events")
}

// ObserveEvent records a pod's Scheduled event time (its eventTime, in
// microseconds) and its latest Started event time, taken from the event's
// name as kube-burner v2 takes it (a recorder names events
// <object>.<hex nanoseconds>; their timestamps have whole seconds).
func (t *PodTracker) ObserveEvent(e *corev1.Event) {
	var at time.Time
	switch e.Reason {
	case "Scheduled":
		at = e.EventTime.UTC()
	case "Started":
		at = nameTime(e.Name)
	}
	if at.IsZero() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	pe := t.events[e.InvolvedObject.UID]
	if pe == nil {
		pe = &podEvents{}
		t.events[e.InvolvedObject.UID] = pe
	}
	if e.Reason == "Scheduled" {
		setOnce(&pe.scheduled, at)
	} else if at.After(pe.started) {
		pe.started = at
	}
}

// nameTime reads the hex nanoseconds after the last dot of an event name.
func nameTime(name string) time.Time {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return time.Time{}
	}
	ns, err := strconv.ParseInt(name[i+1:], 16, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
