package cl2

import (
	"context"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/perflab/perflab/kube"
)

// listLoad is a perflab extension, not a CL2 method: it issues
// listsPerNamespace LIST calls of a resource in each namespace of a range,
// paced at qps. It replaces the CL2 practice of running list clients in
// pods, which never execute on simulated nodes.
type listLoad struct{}

func newListLoad() measurement { return listLoad{} }

func (listLoad) dispose() {}

func (listLoad) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	gv, err := schema.ParseGroupVersion(c.params.Str("apiVersion", "v1"))
	if err != nil {
		return nil, err
	}
	gvr := gv.WithResource(c.params.Str("resource", ""))
	namespaces, err := e.namespacesOf(c.params.mapping("namespaceRange"))
	if err != nil {
		return nil, err
	}
	if !c.params.has("namespaceRange") {
		namespaces = e.automanaged()
	}
	n := c.params.Int("listsPerNamespace", 1)
	limiter := kube.NewLimiter(float32(c.params.Float("qps", 10)), 1)
	opts := metav1.ListOptions{LabelSelector: c.params.Str("labelSelector", "")}
	// These lists are the load itself: they bypass the run's token bucket and
	// follow this step's qps instead.
	var errs errorList
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := 0; i < n; i++ {
		for _, ns := range namespaces {
			if err := limiter.Wait(ctx); err != nil {
				wg.Wait()
				return nil, err
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if _, err := e.dynamic.Resource(gvr).Namespace(ns).List(ctx, opts); err != nil {
					errs.add(fmt.Errorf("list %s in %s: %w", gvr.Resource, ns, err))
				}
			}()
		}
	}
	wg.Wait()
	return nil, errs.err()
}
