package ui

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podOf converts a pod to what the view keeps.
func podOf(p *corev1.Pod) *Pod {
	out := &Pod{Namespace: p.Namespace, Name: p.Name, Node: p.Spec.NodeName, Phase: string(p.Status.Phase), Labels: p.Labels}
	for _, c := range p.Spec.Containers {
		out.CPUMilli += c.Resources.Requests.Cpu().MilliValue()
		out.MemoryBytes += c.Resources.Requests.Memory().Value()
	}
	ready := false
	for _, c := range p.Status.Conditions {
		switch c.Type {
		case corev1.PodReady:
			ready = c.Status == corev1.ConditionTrue
		case corev1.PodScheduled:
			if c.Status == corev1.ConditionFalse && p.Spec.NodeName == "" {
				out.Reason = c.Message
				if out.Reason == "" {
					out.Reason = c.Reason
				}
			}
		}
	}
	out.State = stateOf(p.Status.Phase, ready, p.DeletionTimestamp != nil)
	return out
}

func stateOf(phase corev1.PodPhase, ready, deleting bool) State {
	switch {
	case phase == corev1.PodFailed:
		return StateFailed
	case phase == corev1.PodSucceeded:
		return StateSucceeded
	case deleting:
		return StateTerminating
	case phase == corev1.PodPending:
		return StatePending
	case phase == corev1.PodRunning && ready:
		return StateReady
	case phase == corev1.PodRunning:
		return StateNotReady
	}
	return StateUnknown
}

// nodeOf converts a node to what the view keeps.
func nodeOf(n *corev1.Node) *Node {
	out := &Node{
		Name:             n.Name,
		MaxPods:          n.Status.Allocatable.Pods().Value(),
		CPUAllocMilli:    n.Status.Allocatable.Cpu().MilliValue(),
		MemoryAllocBytes: n.Status.Allocatable.Memory().Value(),
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Ready = c.Status == corev1.ConditionTrue
		}
	}
	return out
}

// trimPod is the pod informer's transform: it keeps the fields podOf reads
// (and what the informer needs to key and version objects) and drops the
// rest, managedFields first, so a cache of 150,000 pods stays small.
func trimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	out := &corev1.Pod{
		ObjectMeta: trimMeta(p.ObjectMeta),
		Spec:       corev1.PodSpec{NodeName: p.Spec.NodeName},
		Status:     corev1.PodStatus{Phase: p.Status.Phase},
	}
	for _, c := range p.Spec.Containers {
		out.Spec.Containers = append(out.Spec.Containers, corev1.Container{
			Name:      c.Name,
			Resources: corev1.ResourceRequirements{Requests: c.Resources.Requests},
		})
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady || c.Type == corev1.PodScheduled {
			out.Status.Conditions = append(out.Status.Conditions, corev1.PodCondition{
				Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message,
			})
		}
	}
	return out, nil
}

// trimNode is the node informer's transform.
func trimNode(obj any) (any, error) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	out := &corev1.Node{ObjectMeta: trimMeta(n.ObjectMeta)}
	out.Status.Allocatable = n.Status.Allocatable
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Status.Conditions = []corev1.NodeCondition{{Type: c.Type, Status: c.Status}}
		}
	}
	return out, nil
}

func trimMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:              m.Name,
		Namespace:         m.Namespace,
		UID:               m.UID,
		ResourceVersion:   m.ResourceVersion,
		Labels:            m.Labels,
		DeletionTimestamp: m.DeletionTimestamp,
	}
}
