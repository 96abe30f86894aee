package cluster

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// A Job's pod runs for the duration its annotation gives before it
// succeeds (the test cluster's default is at once).
func TestJobPodRunsAnnotatedDuration(t *testing.T) {
	c := kclient(t)
	ns := namespace(t, c)
	tmpl := podTemplate(nil)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	tmpl.Annotations = map[string]string{JobDurationAnnotation: "4s"}
	_, err := c.BatchV1().Jobs(ns).Create(context.Background(), &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "runs"},
		Spec:       batchv1.JobSpec{Completions: ptr.To[int32](1), Template: tmpl},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var job *batchv1.Job
	eventually(t, time.Minute, "job Complete", func(ctx context.Context) (bool, error) {
		job, err = c.BatchV1().Jobs(ns).Get(ctx, "runs", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return job.Status.CompletionTime != nil, nil
	})
	// Second-granular times: 4s of running shows as at least 3s.
	if ran := job.Status.CompletionTime.Sub(job.Status.StartTime.Time); ran < 3*time.Second {
		t.Errorf("job ran %v, want about 4s", ran)
	}
}

// The nodes emit the kubelet's pod events in order, and a kube-burner
// v2-style latency check works on them: the scheduler's Scheduled event
// time (microseconds) and the Started event's time from its name
// (<pod>.<hex nanoseconds>, as kube-burner v2 reads it) give sub-second
// latencies from the pod's creation.
func TestPodEventsKubeBurnerV2Style(t *testing.T) {
	c := kclient(t)
	ns := namespace(t, c)
	// kwok's one event queue drops events while it is full (other tests'
	// pods in bursts), so a pod whose events were dropped is retried.
	var pod *corev1.Pod
	var evs []corev1.Event
	for try := 0; try < 4; try++ {
		var err error
		pod, err = c.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ev-%d", try)}, Spec: podTemplate(nil).Spec}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if evs = podEventsWithin(t, c, pod, 20*time.Second); len(evs) > 0 {
			break
		}
	}
	if len(evs) == 0 {
		t.Fatal("no pod got all of Scheduled, Pulling, Pulled, Created and Started within 20s, in 4 tries")
	}
	var scheduled, started time.Time
	var order []string
	slices.SortFunc(evs, func(a, b corev1.Event) int { return eventTime(a).Compare(eventTime(b)) })
	for _, e := range evs {
		if e.Source.Component != "default-scheduler" && e.ReportingController != "default-scheduler" {
			order = append(order, e.Reason)
		}
		switch e.Reason {
		case "Scheduled":
			scheduled = e.EventTime.Time
		case "Started":
			started = eventTime(e)
		}
	}
	// The scheduler stamps Scheduled after its bind call returns, which the
	// simulated kubelet may beat; the kubelet's own events keep their order.
	if want := []string{"Pulling", "Pulled", "Created", "Started"}; !slices.Equal(order, want) {
		t.Errorf("kubelet events in order %v, want %v", order, want)
	}
	created := pod.CreationTimestamp.Time
	if scheduled.IsZero() || started.Before(scheduled) || started.Sub(created) > time.Minute {
		t.Fatalf("scheduled %v, started %v, created %v", scheduled, started, created)
	}
	if scheduled.Nanosecond() == 0 && started.Nanosecond() == 0 {
		t.Errorf("event times %v and %v have whole seconds; want sub-second resolution", scheduled, started)
	}
}

// podEventsWithin returns the pod's events once it has all of Scheduled,
// Pulling, Pulled, Created and Started, or nil after timeout.
func podEventsWithin(t *testing.T, c kubernetes.Interface, pod *corev1.Pod, timeout time.Duration) []corev1.Event {
	var evs []corev1.Event
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		l, err := c.CoreV1().Events(pod.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.uid=" + string(pod.UID)})
		if err != nil {
			return false, err
		}
		evs = l.Items
		r := reasonsOf(evs)
		return r["Scheduled"] && r["Pulling"] && r["Pulled"] && r["Created"] && r["Started"], nil
	})
	if err != nil {
		t.Logf("pod %s: events %v after %v", pod.Name, reasonsOf(evs), timeout)
		return nil
	}
	return evs
}

func reasonsOf(evs []corev1.Event) map[string]bool {
	out := map[string]bool{}
	for _, e := range evs {
		out[e.Reason] = true
	}
	return out
}

// eventTime is when an event happened at the finest resolution it
// carries: eventTime (events.k8s.io, microseconds), else the hex
// nanoseconds a legacy recorder puts in the name, else firstTimestamp.
func eventTime(e corev1.Event) time.Time {
	if !e.EventTime.IsZero() {
		return e.EventTime.Time
	}
	if i := strings.LastIndexByte(e.Name, '.'); i >= 0 {
		if ns, err := strconv.ParseInt(e.Name[i+1:], 16, 64); err == nil {
			return time.Unix(0, ns)
		}
	}
	return e.FirstTimestamp.Time
}

// kwok's pod-ready template keeps a pod's IPs when it has them, and every
// stage perflab builds parses.
func TestStagesKeepPodIPs(t *testing.T) {
	for _, events := range []bool{false, true} {
		st, err := stages(stageOptions{podEvents: events})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, list := range st {
			for _, s := range list {
				names = append(names, s.Name)
				if s.Name != podReadyStage {
					continue
				}
				tmpl := s.Spec.Steps[0].Patch.Template
				guard := strings.Index(tmpl, "{{ if not .status.podIP }}")
				alloc := strings.Index(tmpl, "PodIPsWith")
				if guard < 0 || alloc < guard {
					t.Errorf("pod-ready template does not guard the IP allocation:\n%s", tmpl)
				}
			}
		}
		if !slices.Contains(names, "pod-ready-again") || !slices.Contains(names, podReadyStage) {
			t.Errorf("stages %v: want pod-ready and pod-ready-again", names)
		}
	}
}

// A running pod the node-lifecycle controller marked unready (its node's
// Lease was late) becomes Ready again with the same IP, as with a live
// kubelet.
func TestPodReadyAgain(t *testing.T) {
	c := kclient(t)
	ns := namespace(t, c)
	ctx := context.Background()
	tmpl := podTemplate(nil)
	pod, err := c.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "blip"}, Spec: tmpl.Spec}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ready := func(p *corev1.Pod) corev1.ConditionStatus {
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodReady {
				return cond.Status
			}
		}
		return ""
	}
	eventually(t, time.Minute, "pod Ready", func(ctx context.Context) (bool, error) {
		pod, err = c.CoreV1().Pods(ns).Get(ctx, "blip", metav1.GetOptions{})
		return err == nil && ready(pod) == corev1.ConditionTrue, err
	})
	ip := pod.Status.PodIP
	// What MarkPodsNotReady does.
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			pod.Status.Conditions[i].Status = corev1.ConditionFalse
			pod.Status.Conditions[i].LastTransitionTime = metav1.Now()
		}
	}
	if _, err := c.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "pod Ready again", func(ctx context.Context) (bool, error) {
		pod, err = c.CoreV1().Pods(ns).Get(ctx, "blip", metav1.GetOptions{})
		return err == nil && ready(pod) == corev1.ConditionTrue, err
	})
	if pod.Status.PodIP != ip || len(pod.Status.PodIPs) != 1 {
		t.Errorf("pod IPs %v (podIP %s), want only %s", pod.Status.PodIPs, pod.Status.PodIP, ip)
	}
}
