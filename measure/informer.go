package measure

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/perflab/perflab/kube"
)

// informerFactory returns an informer factory over the selected objects.
func informerFactory(c kubernetes.Interface, s Selector) informers.SharedInformerFactory {
	return informers.NewSharedInformerFactoryWithOptions(c, 0,
		informers.WithNamespace(s.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector, o.FieldSelector = s.Labels, s.Fields
		}))
}

// observeEach lists and watches what list and watch return (with the options
// tweak sets) until ctx ends, calls fn with each state of each object of type
// T and keeps none (kube.Sink); it returns once the initial list has been
// observed.
func observeEach[T k8sruntime.Object](ctx context.Context, what string, cs kubernetes.Interface, tweak func(*metav1.ListOptions),
	list func(context.Context, metav1.ListOptions) (k8sruntime.Object, error),
	watch func(context.Context, metav1.ListOptions) (watch.Interface, error), fn func(T)) error {
	var expected T
	sink := &kube.Sink{Observe: func(obj any) {
		if o, ok := obj.(T); ok {
			fn(o)
		}
	}}
	if err := kube.Reflect(ctx, what, kube.ListWatch(cs, tweak, list, watch), expected, sink); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// observe calls fn with every object an informer adds or updates.
func observe(inf cache.SharedIndexInformer, fn func(obj any)) error {
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { fn(obj) },
		UpdateFunc: func(_, obj any) { fn(obj) },
	})
	return err
}

// runInformers starts the factory's informers until ctx ends and returns
// once they have listed.
func runInformers(ctx context.Context, f informers.SharedInformerFactory, what string) error {
	f.Start(ctx.Done())
	for typ, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("%s: %v informer did not sync: %w", what, typ, ctx.Err())
		}
	}
	return nil
}

// msBetween is to - from in milliseconds, 0 when negative (second-granular
// API timestamps), as kube-burner clamps.
func msBetween(from, to time.Time) int {
	return max(int(to.Sub(from).Milliseconds()), 0)
}

// sortByKey sorts s by key(s[i]).
func sortByKey[T any](s []T, key func(T) string) {
	slices.SortFunc(s, func(a, b T) int { return strings.Compare(key(a), key(b)) })
}
