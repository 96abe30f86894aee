package measure

import (
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

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
	r := t.record(e.InvolvedObject.UID)
	if e.Reason == "Scheduled" {
		setFirst(&r.eventScheduled, at)
	} else if n := nanos(at); n > r.eventStarted {
		r.eventStarted = n
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
