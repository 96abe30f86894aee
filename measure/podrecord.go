package measure

import (
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// podRecord is what PodTracker keeps per pod: PodTimes's fields with times
// as Unix nanoseconds (0: not observed) and the pod's event times merged in,
// under half of PodTimes's size. With 150,000 pods the records are most of
// what `perflab init` holds.
type podRecord struct {
	namespace, name, node string
	jobIteration, replica int32
	// seen is false while only the pod's events have been observed.
	seen bool

	created, scheduled, readyToStartContainers, initialized int64
	containersReady, ready, running, watchedReady           int64
	// eventScheduled and eventStarted are the scheduler's Scheduled and the
	// kubelet's last Started event times.
	eventScheduled, eventStarted int64
}

// times is the record as PodTimes, event times applied.
func (r *podRecord) times(uid types.UID) PodTimes {
	pt := PodTimes{
		UID: uid, Namespace: r.namespace, Name: r.name, Node: r.node,
		JobIteration: int(r.jobIteration), Replica: int(r.replica),
		Created: utc(r.created), Scheduled: utc(r.scheduled), ReadyToStartContainers: utc(r.readyToStartContainers),
		Initialized: utc(r.initialized), ContainersReady: utc(r.containersReady), Ready: utc(r.ready),
		ContainersStarted: utc(r.eventStarted), Running: utc(r.running), WatchedReady: utc(r.watchedReady),
	}
	if r.eventScheduled != 0 {
		pt.Scheduled = utc(r.eventScheduled)
	}
	return pt
}

// nanos is t in Unix nanoseconds, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// utc is the UTC time of Unix nanoseconds ns, the zero time for 0.
func utc(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// setFirst records at in *dst unless a time is there already.
func setFirst(dst *int64, at time.Time) {
	if *dst == 0 {
		*dst = nanos(at)
	}
}

// setOnce sets *dst to at unless it is set already.
func setOnce(dst *time.Time, at time.Time) {
	if dst.IsZero() {
		*dst = at
	}
}
