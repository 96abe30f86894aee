package measure

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/perflab/perflab/kube"
)

// benchPod is a pod as the API server sends it at one step of its start-up:
// kube-burner's labels, one container with resources and env, an owner,
// managedFields from three managers and, from step 1 on, a node, status
// conditions and a container status. Every call allocates fresh strings, as
// decoding does.
func benchPod(i, step int, created time.Time) *corev1.Pod {
	name := fmt.Sprintf("deployment-%d-7c9f8d5b4-%05x", i/10, i)
	ns := "perflab-" + strconv.Itoa(i/100)
	labels := kube.ObjectLabels("2b7c0e3e-4b4b-4b1e-9a4f-5d2e0c8f1a11", "2b7c0e3e-4b4b-4b1e-9a4f-5d2e0c8f1a11", "cluster-density", 0, i/10, i%10+1)
	labels["app"] = "sleep"
	labels["pod-template-hash"] = "7c9f8d5b4"
	fields := func(s string) *metav1.FieldsV1 {
		return &metav1.FieldsV1{Raw: []byte(fmt.Sprintf(`{"f:metadata":{"f:labels":{%s}},"f:spec":{"f:containers":{"k:{\"name\":\"sleep\"}":{".":{},"f:image":{},"f:resources":{"f:requests":{"f:cpu":{},"f:memory":{}}}}}}}`, s))}
	}
	p := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: ns, UID: k8stypes.UID(fmt.Sprintf("6f1c2d3e-0000-4000-8000-%012d", i)),
			ResourceVersion: strconv.Itoa(1000 + 3*i + step), CreationTimestamp: metav1.NewTime(created),
			GenerateName: name[:len(name)-5], Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: name[:len(name)-6],
				UID: "0a1b2c3d-0000-4000-8000-000000000001", Controller: new(bool)}},
			ManagedFields: []metav1.ManagedFieldsEntry{
				{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", FieldsType: "FieldsV1", FieldsV1: fields(`"f:app":{},"f:pod-template-hash":{}`)},
				{Manager: "kube-scheduler", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", FieldsType: "FieldsV1", FieldsV1: fields(`"f:kube-burner.io/job":{}`), Subresource: "status"},
				{Manager: "kwok", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", FieldsType: "FieldsV1", FieldsV1: fields(`"f:kube-burner.io/uuid":{}`), Subresource: "status"},
			},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "sleep", Image: "registry.k8s.io/pause:3.10", Command: []string{"/pause"},
				Env: []corev1.EnvVar{{Name: "ENVVAR1", Value: "value-one"}, {Name: "ENVVAR2", Value: "value-two"}},
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("10Mi")}},
				TerminationMessagePath: "/dev/termination-log", ImagePullPolicy: corev1.PullIfNotPresent,
			}},
			RestartPolicy: corev1.RestartPolicyAlways, DNSPolicy: corev1.DNSClusterFirst, SchedulerName: "default-scheduler",
			ServiceAccountName: "default",
			Tolerations: []corev1.Toleration{{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
				{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodPending, QOSClass: corev1.PodQOSBurstable},
	}
	if step == 0 {
		return p
	}
	at := metav1.NewTime(created.Add(time.Duration(step) * time.Second))
	p.Spec.NodeName = fmt.Sprintf("kwok-node-%d", i%200)
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: at}}
	if step == 1 {
		return p
	}
	p.Status.Phase = corev1.PodRunning
	p.Status.HostIP, p.Status.PodIP = "10.0.0.1", fmt.Sprintf("10.244.%d.%d", i/250%250, i%250)
	p.Status.StartTime = &at
	for _, c := range []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: c, Status: corev1.ConditionTrue, LastTransitionTime: at})
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "sleep", Ready: true, Image: "registry.k8s.io/pause:3.10",
		ImageID: "registry.k8s.io/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a",
		State:   corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at}}}}
	return p
}

// benchEvents are the kubelet's and the scheduler's events for pod i.
func benchEvents(p *corev1.Pod) []*corev1.Event {
	var out []*corev1.Event
	for k, reason := range []string{"Scheduled", "Pulling", "Pulled", "Created", "Started"} {
		at := p.CreationTimestamp.Add(time.Duration(k+1) * 100 * time.Millisecond)
		out = append(out, &corev1.Event{
			TypeMeta: metav1.TypeMeta{Kind: "Event", APIVersion: "v1"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", p.Name, at.UnixNano()), Namespace: p.Namespace,
				UID: k8stypes.UID(fmt.Sprintf("e%d-%s", k, p.UID)), ResourceVersion: strconv.Itoa(k) + p.ResourceVersion},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID, APIVersion: "v1"},
			Reason:         reason, Message: "Successfully did " + reason + " for " + p.Namespace + "/" + p.Name,
			Source:    corev1.EventSource{Component: "kubelet", Host: p.Spec.NodeName},
			EventTime: metav1.NewMicroTime(at), Type: corev1.EventTypeNormal, ReportingController: "kubelet",
			ReportingInstance: p.Spec.NodeName, Action: reason,
		})
	}
	return out
}

// fakeWatches answers lists of pods and events with nothing and hands out
// the watches the benchmark feeds: only what the tracker keeps is left on
// the heap.
func fakeWatches(pods, events *watch.FakeWatcher) *fake.Clientset {
	cs := fake.NewClientset()
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, k8sruntime.Object, error) {
		return true, &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "1"}}, nil
	})
	cs.PrependReactor("list", "events", func(k8stesting.Action) (bool, k8sruntime.Object, error) {
		return true, &corev1.EventList{ListMeta: metav1.ListMeta{ResourceVersion: "1"}}, nil
	})
	cs.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) { return true, pods, nil })
	cs.PrependWatchReactor("events", func(k8stesting.Action) (bool, watch.Interface, error) { return true, events, nil })
	return cs
}

// BenchmarkPodTrackerRetained runs b.N pods through podLatency's tracker
// (pending, scheduled, Ready, with five events each) and reports the heap the
// tracker still holds per pod after a GC: what `perflab init` keeps per pod
// of a podLatency job.
func BenchmarkPodTrackerRetained(b *testing.B) {
	b.ReportAllocs()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pods, events := watch.NewFakeWithChanSize(64, false), watch.NewFakeWithChanSize(64, false)
	tr := NewPodTracker(TrackerOptions{IterationLabel: kube.LabelJobIteration, ReplicaLabel: kube.LabelReplica, Events: true})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := tr.Start(ctx, fakeWatches(pods, events)); err != nil {
		b.Fatal(err)
	}
	created := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := range b.N {
		pods.Add(benchPod(i, 0, created))
		pods.Modify(benchPod(i, 1, created))
		p := benchPod(i, 2, created)
		pods.Modify(p)
		for _, e := range benchEvents(p) {
			events.Add(e)
		}
	}
	waitTracked(b, tr, b.N)
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "B/pod")
	runtime.KeepAlive(tr)
}

// waitTracked waits until the tracker has n Ready pods with their last
// event.
func waitTracked(b *testing.B, tr *PodTracker, n int) {
	b.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ready, started := 0, 0
		for _, p := range tr.Pods() {
			if !p.Ready.IsZero() {
				ready++
			}
			if !p.ContainersStarted.IsZero() {
				started++
			}
		}
		if ready == n && started == n {
			return
		}
	}
	b.Fatalf("tracker did not see %d Ready pods with events within a minute", n)
}
