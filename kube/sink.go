package kube

import (
	"context"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// Sink is a reflector store that keeps no objects: it hands each object the
// reflector lists or watches to Observe and forgets it. Trackers that only
// need a few fields of each object (pod latency, waiters) use it instead of an
// informer, whose store would hold every object for the whole run: with
// 150,000 pods that is the client's largest cost.
//
// During a streaming initial list (WatchList) the reflector's temporary store
// keeps only keys: Observe runs as each object arrives.
type Sink struct {
	// Observe is called with every added or updated object, from the
	// reflector's goroutine, in the order the API server sent them; it is
	// called again for each object of a relist. It must not keep obj.
	Observe func(obj any)
	// Deleted, if set, is called with the namespace/name key of each deleted
	// object.
	Deleted func(key string)
	// Listed, if set, is called with the keys of every object of a complete
	// list (the initial one and relists), after Observe saw each of them:
	// objects missing from it are gone.
	Listed func(keys []string)

	synced atomic.Bool
}

var (
	_ cache.ReflectorStore    = (*Sink)(nil)
	_ cache.TransformingStore = (*Sink)(nil)
)

// Reflect lists and watches lw into s until ctx ends, and returns once s
// has observed the first complete list (or ctx's error if ctx ends first).
func Reflect(ctx context.Context, name string, lw cache.ListerWatcher, expected k8sruntime.Object, s *Sink) error {
	r := cache.NewReflectorWithOptions(lw, expected, s, cache.ReflectorOptions{Name: name})
	go r.RunWithContext(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), s.HasSynced) {
		return ctx.Err()
	}
	return nil
}

// HasSynced reports whether the first complete list has been observed.
func (s *Sink) HasSynced() bool { return s.synced.Load() }

// Add observes obj.
func (s *Sink) Add(obj any) error { s.see(obj); return nil }

// Update observes obj.
func (s *Sink) Update(obj any) error { s.see(obj); return nil }

// Delete reports obj's key to Deleted.
func (s *Sink) Delete(obj any) error {
	if s.Deleted == nil {
		return nil
	}
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return err
	}
	s.Deleted(key)
	return nil
}

// Replace observes a complete list; items already observed while streaming
// come as keys.
func (s *Sink) Replace(items []any, _ string) error {
	keys := make([]string, 0, len(items))
	for _, obj := range items {
		if k, ok := obj.(cache.ExplicitKey); ok {
			keys = append(keys, string(k))
			continue
		}
		key, err := cache.MetaNamespaceKeyFunc(obj)
		if err != nil {
			return err
		}
		s.Observe(obj)
		keys = append(keys, key)
	}
	if s.Listed != nil {
		s.Listed(keys)
	}
	s.synced.Store(true)
	return nil
}

// Resync does nothing: there is nothing stored to resync.
func (s *Sink) Resync() error { return nil }

// Transformer is used by the reflector on a streamed initial list: each
// object is observed as it arrives and only its key is kept.
func (s *Sink) Transformer() cache.TransformFunc {
	return func(obj any) (any, error) {
		if _, ok := obj.(cache.ExplicitKey); ok {
			return obj, nil
		}
		key, err := cache.MetaNamespaceKeyFunc(obj)
		if err != nil {
			return nil, err
		}
		s.Observe(obj)
		return cache.ExplicitKey(key), nil
	}
}

func (s *Sink) see(obj any) {
	if _, ok := obj.(cache.ExplicitKey); !ok {
		s.Observe(obj)
	}
}

// ListWatch is the lister-watcher of one resource for Reflect: list and
// watch called with the options tweak sets. client is the clientset list
// and watch use; fakes that cannot stream an initial list are detected
// from it.
func ListWatch(client any, tweak func(*metav1.ListOptions),
	list func(context.Context, metav1.ListOptions) (k8sruntime.Object, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error)) cache.ListerWatcher {
	return cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
			tweak(&o)
			return list(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			tweak(&o)
			return watchFn(ctx, o)
		},
	}, client)
}
