package kube

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// Stats counts one job's API calls. All fields are updated atomically.
type Stats struct {
	Requests      atomic.Int64 // attempts sent, retries included
	Created       atomic.Int64
	Patched       atomic.Int64
	Deleted       atomic.Int64
	Read          atomic.Int64
	AlreadyExists atomic.Int64
	NotFound      atomic.Int64
	Retries       atomic.Int64
	Errors        atomic.Int64 // calls that failed for good (not AlreadyExists/NotFound)
	// NotSent counts calls never sent: the limiter's next token came after
	// the deadline of the call's context (a run stopped by its timeout).
	NotSent atomic.Int64
}

// ErrNotSent wraps the limiter's error for a call that was never sent
// because its context's deadline came before the call's turn.
var ErrNotSent = errors.New("not sent before the deadline")

// Ops issues a job's API calls through its Limiter with retries.
type Ops struct {
	client  *Client
	limiter *Limiter
	retry   RetryPolicy
	Stats   *Stats
}

// NewOps binds client, limiter and retry policy; stats may be nil.
func NewOps(c *Client, l *Limiter, p RetryPolicy, stats *Stats) *Ops {
	if stats == nil {
		stats = &Stats{}
	}
	return &Ops{client: c, limiter: l, retry: p, Stats: stats}
}

// Client returns the bundle the ops use.
func (o *Ops) Client() *Client { return o.client }

// Limiter returns the job's token bucket.
func (o *Ops) Limiter() *Limiter { return o.limiter }

func (o *Ops) res(gvr schema.GroupVersionResource, ns string) dynamic.ResourceInterface {
	r := o.client.Dynamic.Resource(gvr)
	if ns != "" {
		return r.Namespace(ns)
	}
	return r
}

func (o *Ops) run(ctx context.Context, call func(context.Context) error) error {
	err := o.retry.do(ctx, func(ctx context.Context) error {
		if err := o.limiter.Wait(ctx); err != nil {
			return fmt.Errorf("%w: %w", ErrNotSent, err)
		}
		o.Stats.Requests.Add(1)
		return nil
	}, func() { o.Stats.Retries.Add(1) }, call)
	switch {
	case err == nil:
	case errors.Is(err, ErrNotSent):
		o.Stats.NotSent.Add(1)
	case apierrors.IsAlreadyExists(err):
		o.Stats.AlreadyExists.Add(1)
	case apierrors.IsNotFound(err):
		o.Stats.NotFound.Add(1)
	case ctx.Err() != nil:
	default:
		o.Stats.Errors.Add(1)
	}
	return err
}

// Create creates obj in ns ("" for cluster-scoped). AlreadyExists is returned
// and counted, not retried.
func (o *Ops) Create(ctx context.Context, gvr schema.GroupVersionResource, ns string, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	var out *unstructured.Unstructured
	err := o.run(ctx, func(ctx context.Context) (err error) {
		out, err = o.res(gvr, ns).Create(ctx, obj, metav1.CreateOptions{})
		return err
	})
	if err == nil {
		o.Stats.Created.Add(1)
	}
	return out, err
}

// resourcePath is the REST path of gvr's collection in ns.
func resourcePath(gvr schema.GroupVersionResource, ns string) string {
	p := "/apis/" + gvr.Group + "/" + gvr.Version
	if gvr.Group == "" {
		p = "/api/" + gvr.Version
	}
	if ns != "" {
		p += "/namespaces/" + ns
	}
	return p + "/" + gvr.Resource
}

// CreateJSON creates the object encoded in body (JSON) without decoding the
// server's answer: the load engines' hot path, where only success matters.
// Errors, retries and counting are as for Create.
func (o *Ops) CreateJSON(ctx context.Context, gvr schema.GroupVersionResource, ns string, body []byte) error {
	path := resourcePath(gvr, ns)
	err := o.run(ctx, func(ctx context.Context) error {
		return o.client.raw.Post().AbsPath(path).Body(body).Do(ctx).Error()
	})
	if err == nil {
		o.Stats.Created.Add(1)
	}
	return err
}

// Patch patches the named object.
func (o *Ops) Patch(ctx context.Context, gvr schema.GroupVersionResource, ns, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions) (*unstructured.Unstructured, error) {
	var out *unstructured.Unstructured
	err := o.run(ctx, func(ctx context.Context) (err error) {
		out, err = o.res(gvr, ns).Patch(ctx, name, pt, data, opts)
		return err
	})
	if err == nil {
		o.Stats.Patched.Add(1)
	}
	return out, err
}

// Delete deletes the named object; NotFound is returned and counted.
func (o *Ops) Delete(ctx context.Context, gvr schema.GroupVersionResource, ns, name string, opts metav1.DeleteOptions) error {
	err := o.run(ctx, func(ctx context.Context) error {
		return o.res(gvr, ns).Delete(ctx, name, opts)
	})
	if err == nil {
		o.Stats.Deleted.Add(1)
	}
	return err
}

// Get reads the named object.
func (o *Ops) Get(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) (*unstructured.Unstructured, error) {
	var out *unstructured.Unstructured
	err := o.run(ctx, func(ctx context.Context) (err error) {
		out, err = o.res(gvr, ns).Get(ctx, name, metav1.GetOptions{})
		return err
	})
	if err == nil {
		o.Stats.Read.Add(1)
	}
	return out, err
}

// List lists objects matching selector in ns ("" for all namespaces), in pages
// of 500, each page one limited call.
func (o *Ops) List(ctx context.Context, gvr schema.GroupVersionResource, ns, selector string) ([]unstructured.Unstructured, error) {
	var items []unstructured.Unstructured
	opts := metav1.ListOptions{LabelSelector: selector, Limit: 500}
	for {
		var page *unstructured.UnstructuredList
		err := o.run(ctx, func(ctx context.Context) (err error) {
			page, err = o.res(gvr, ns).List(ctx, opts)
			return err
		})
		if err != nil {
			return items, err
		}
		items = append(items, page.Items...)
		if page.GetContinue() == "" {
			return items, nil
		}
		opts.Continue = page.GetContinue()
	}
}

// Ref names one object found by ListRefs.
type Ref struct {
	Namespace, Name string
	Deleting        bool // has a deletionTimestamp
	// Owned is set when the object has an owner (its controller deletes it).
	Owned  bool
	Labels map[string]string
}

// ListRefs lists the objects matching selector in ns ("" all namespaces) as
// metadata only (protobuf), in pages of 500, each page one limited call. It
// is how jobs find what to patch, read, delete or count without decoding
// whole objects.
func (o *Ops) ListRefs(ctx context.Context, gvr schema.GroupVersionResource, ns, selector string) ([]Ref, error) {
	var refs []Ref
	err := o.EachRef(ctx, gvr, ns, selector, func(r Ref) { refs = append(refs, r) })
	return refs, err
}

// CountRefs counts the objects ListRefs would list, keeping none of them.
func (o *Ops) CountRefs(ctx context.Context, gvr schema.GroupVersionResource, ns, selector string) (int, error) {
	n := 0
	err := o.EachRef(ctx, gvr, ns, selector, func(Ref) { n++ })
	return n, err
}

// EachRef calls fn with each object ListRefs would list, a page at a time.
func (o *Ops) EachRef(ctx context.Context, gvr schema.GroupVersionResource, ns, selector string, fn func(Ref)) error {
	opts := metav1.ListOptions{LabelSelector: selector, Limit: 500}
	for {
		var page *metav1.PartialObjectMetadataList
		err := o.run(ctx, func(ctx context.Context) (err error) {
			r := o.client.Metadata.Resource(gvr)
			if ns != "" {
				page, err = r.Namespace(ns).List(ctx, opts)
			} else {
				page, err = r.List(ctx, opts)
			}
			return err
		})
		if err != nil {
			return err
		}
		for i := range page.Items {
			m := &page.Items[i]
			fn(Ref{Namespace: m.Namespace, Name: m.Name, Deleting: m.DeletionTimestamp != nil,
				Owned: len(m.OwnerReferences) > 0, Labels: m.Labels})
		}
		if page.Continue == "" {
			return nil
		}
		opts.Continue = page.Continue
	}
}
