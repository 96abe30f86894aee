package cl2

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/perflab/perflab/kube"
)

// kubeObjects is objectAPI on the shared kube machinery: one token bucket
// for the whole run and retries with jittered backoff. As in CL2, create
// tolerates AlreadyExists, delete tolerates NotFound and propagates in the
// background, and update is a JSON merge patch of the rendered object.
type kubeObjects struct{ ops *kube.Ops }

func (k kubeObjects) mapping(gvk schema.GroupVersionKind, namespace string) (schema.GroupVersionResource, string, error) {
	m, err := k.ops.Client().Map(gvk.GroupVersion().String(), gvk.Kind)
	if err != nil {
		return schema.GroupVersionResource{}, "", err
	}
	if !m.Namespaced {
		namespace = ""
	}
	return m.GVR, namespace, nil
}

func (k kubeObjects) Create(ctx context.Context, namespace string, obj *unstructured.Unstructured) error {
	gvr, ns, err := k.mapping(obj.GroupVersionKind(), namespace)
	if err != nil {
		return err
	}
	body, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	if err := k.ops.CreateJSON(ctx, gvr, ns, body); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func (k kubeObjects) Patch(ctx context.Context, namespace string, obj *unstructured.Unstructured) error {
	gvr, ns, err := k.mapping(obj.GroupVersionKind(), namespace)
	if err != nil {
		return err
	}
	body, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	_, err = k.ops.Patch(ctx, gvr, ns, obj.GetName(), types.MergePatchType, body, metav1.PatchOptions{})
	return err
}

func (k kubeObjects) Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) error {
	gvr, ns, err := k.mapping(gvk, namespace)
	if err != nil {
		return err
	}
	bg := metav1.DeletePropagationBackground
	if err := k.ops.Delete(ctx, gvr, ns, name, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

func (k kubeObjects) Count(ctx context.Context, gvk schema.GroupVersionKind, namespace, selector string) (int, error) {
	gvr, ns, err := k.mapping(gvk, namespace)
	if err != nil {
		return 0, err
	}
	items, err := k.ops.ListRefs(ctx, gvr, ns, selector)
	if err != nil {
		return 0, fmt.Errorf("list %s in %s: %w", gvk.Kind, namespace, err)
	}
	return len(items), nil
}
