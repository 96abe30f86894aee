package ui

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// watch feeds m from node and pod informers until ctx ends. It returns once
// both caches have synced (or ctx ends first).
func watch(ctx context.Context, cs kubernetes.Interface, m *Model) error {
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTransform(func(obj any) (any, error) {
		switch obj.(type) {
		case *corev1.Pod:
			return trimPod(obj)
		case *corev1.Node:
			return trimNode(obj)
		}
		return obj, nil
	}))
	pods := f.Core().V1().Pods().Informer()
	nodes := f.Core().V1().Nodes().Informer()
	if _, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { setPod(m, obj) },
		UpdateFunc: func(_, obj any) { setPod(m, obj) },
		DeleteFunc: func(obj any) {
			if p, ok := tombstone(obj).(*corev1.Pod); ok {
				m.DeletePod(p.Namespace, p.Name)
			}
		},
	}); err != nil {
		return fmt.Errorf("pod informer: %w", err)
	}
	if _, err := nodes.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { setNode(m, obj) },
		UpdateFunc: func(_, obj any) { setNode(m, obj) },
		DeleteFunc: func(obj any) {
			if n, ok := tombstone(obj).(*corev1.Node); ok {
				m.DeleteNode(n.Name)
			}
		},
	}); err != nil {
		return fmt.Errorf("node informer: %w", err)
	}
	f.Start(ctx.Done())
	go func() { <-ctx.Done(); f.Shutdown() }()
	syncCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if !cache.WaitForCacheSync(syncCtx.Done(), pods.HasSynced, nodes.HasSynced) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("pods and nodes: informers did not sync within 2m (can this kubeconfig list and watch them?)")
	}
	return nil
}

func setPod(m *Model, obj any) {
	if p, ok := obj.(*corev1.Pod); ok {
		m.SetPod(podOf(p))
	}
}

func setNode(m *Model, obj any) {
	if n, ok := obj.(*corev1.Node); ok {
		m.SetNode(nodeOf(n))
	}
}

func tombstone(obj any) any {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return t.Obj
	}
	return obj
}
