package cluster

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// podCounter counts the benchmark's pods created, bound and Ready from an
// informer whose transform keeps only name, node and Ready condition, so
// its cache weighs a few hundred bytes a pod in the measured process.
type podCounter struct {
	created, scheduled, ready atomic.Int64
	onReady                   func(delta int64)

	mu                    sync.Mutex
	firstBound, lastBound time.Time
	bound                 int
}

// Pod state bits.
const (
	podBound = 1 << iota
	podReady
)

// watchPods starts counting the pods that match selector, in every
// namespace; it stops with ctx.
func watchPods(ctx context.Context, client kubernetes.Interface, selector string, onReady func(int64)) (*podCounter, error) {
	pc := &podCounter{onReady: onReady}
	f := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTransform(slimPod),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = selector }))
	inf := f.Core().V1().Pods().Informer()
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { pc.created.Add(1); pc.change(0, stateOf(obj)) },
		UpdateFunc: func(old, obj any) { pc.change(stateOf(old), stateOf(obj)) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			pc.created.Add(-1)
			pc.change(stateOf(obj), 0)
		},
	}); err != nil {
		return nil, fmt.Errorf("bench: pod watch: %w", err)
	}
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return nil, fmt.Errorf("bench: pod watch did not sync: %w", context.Cause(ctx))
	}
	return pc, nil
}

func (pc *podCounter) change(from, to int) {
	if d := to&podBound - from&podBound; d != 0 {
		pc.scheduled.Add(int64(d))
		if d > 0 {
			pc.noteBound(time.Now())
		}
	}
	if d := (to&podReady - from&podReady) / podReady; d != 0 {
		if pc.onReady != nil { // first, so the progress line has every pod the waiter saw Ready
			pc.onReady(int64(d))
		}
		pc.ready.Add(int64(d))
	}
}

func (pc *podCounter) noteBound(t time.Time) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.bound == 0 {
		pc.firstBound = t
	}
	pc.lastBound = t
	pc.bound++
}

// schedulingRate is bindings per second between the first and the last
// binding seen, (n-1)/span; with fewer than two, 0.
func (pc *podCounter) schedulingRate() float64 {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	span := pc.lastBound.Sub(pc.firstBound).Seconds()
	if pc.bound < 2 || span <= 0 {
		return 0
	}
	return float64(pc.bound-1) / span
}

func stateOf(obj any) int {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return 0
	}
	s := 0
	if p.Spec.NodeName != "" {
		s |= podBound
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			s |= podReady
		}
	}
	return s
}

// slimPod keeps what the counter reads (and what the cache needs to key
// and resync the object).
func slimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	out := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, UID: p.UID, ResourceVersion: p.ResourceVersion},
		Spec:       corev1.PodSpec{NodeName: p.Spec.NodeName},
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			out.Status.Conditions = []corev1.PodCondition{{Type: c.Type, Status: c.Status}}
		}
	}
	return out, nil
}
