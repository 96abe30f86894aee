package cl2

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/wait"
)

// dynamicObjects implements objectAPI with the dynamic client, retrying
// transient errors with jittered exponential backoff as CL2 does.
type dynamicObjects struct {
	e       *env
	backoff wait.Backoff
}

func newDynamicObjects(e *env) *dynamicObjects {
	return &dynamicObjects{e: e, backoff: wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Jitter: 0.5, Steps: 6}}
}

func retryable(err error) bool {
	return apierrors.IsInternalError(err) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		apierrors.IsTooManyRequests(err) || utilnet.IsProbableEOF(err) || utilnet.IsConnectionReset(err)
}

func (d *dynamicObjects) retry(ctx context.Context, fn func() error, ok func(error) bool) error {
	var last error
	err := wait.ExponentialBackoffWithContext(ctx, d.backoff, func(context.Context) (bool, error) {
		last = fn()
		switch {
		case last == nil || ok(last):
			last = nil
			return true, nil
		case retryable(last):
			return false, nil
		}
		return false, last
	})
	if last != nil {
		return last
	}
	return err
}

func (d *dynamicObjects) Create(ctx context.Context, namespace string, obj *unstructured.Unstructured) error {
	ri, err := d.e.resource(obj.GroupVersionKind(), namespace)
	if err != nil {
		return err
	}
	return d.retry(ctx, func() error {
		_, err := ri.Create(ctx, obj, metav1.CreateOptions{})
		return err
	}, apierrors.IsAlreadyExists)
}

func (d *dynamicObjects) Patch(ctx context.Context, namespace string, obj *unstructured.Unstructured) error {
	ri, err := d.e.resource(obj.GroupVersionKind(), namespace)
	if err != nil {
		return err
	}
	body, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	return d.retry(ctx, func() error {
		_, err := ri.Patch(ctx, obj.GetName(), types.MergePatchType, body, metav1.PatchOptions{})
		return err
	}, func(error) bool { return false })
}

func (d *dynamicObjects) Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) error {
	ri, err := d.e.resource(gvk, namespace)
	if err != nil {
		return err
	}
	bg := metav1.DeletePropagationBackground
	return d.retry(ctx, func() error {
		return ri.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &bg})
	}, apierrors.IsNotFound)
}

func (d *dynamicObjects) Count(ctx context.Context, gvk schema.GroupVersionKind, namespace, selector string) (int, error) {
	ri, err := d.e.resource(gvk, namespace)
	if err != nil {
		return 0, err
	}
	var n int
	err = d.retry(ctx, func() error {
		l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err == nil {
			n = len(l.Items)
		}
		return err
	}, func(error) bool { return false })
	if err != nil {
		return 0, fmt.Errorf("list %s in %s: %w", gvk.Kind, namespace, err)
	}
	return n, nil
}
