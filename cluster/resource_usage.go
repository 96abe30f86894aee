package cluster

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/apis/v1alpha1"
	kwokmetrics "sigs.k8s.io/kwok/pkg/kwok/metrics"
	"sigs.k8s.io/yaml"
)

//go:embed resource_usage.yaml
var defaultResourceUsage []byte

// resourceUsage is simulated container usage configured the way kwok
// configures it: ResourceUsage objects (one pod by name) win over
// ClusterResourceUsage objects (pods by selector); within one, the entry
// naming the container wins over the entry naming none. Expressions are
// CEL, evaluated by kwok's own metrics environment (node, pod, container).
type resourceUsage struct {
	env      *kwokmetrics.Environment
	pods     []*internalversion.ResourceUsage
	clusters []*internalversion.ClusterResourceUsage

	mu       sync.Mutex
	compiled map[string]*kwokmetrics.Evaluator
}

// loadResourceUsage reads ResourceUsage and ClusterResourceUsage documents
// from path, or perflab's default when path is "".
func loadResourceUsage(path string) (*resourceUsage, error) {
	data, name := defaultResourceUsage, "default resource usage"
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("resource usage: %w", err)
		}
		data, name = b, path
	}
	env, err := kwokmetrics.NewEnvironment(kwokmetrics.EnvironmentConfig{})
	if err != nil {
		return nil, fmt.Errorf("resource usage: %w", err)
	}
	u := &resourceUsage{env: env, compiled: map[string]*kwokmetrics.Evaluator{}}
	if err := u.parse(data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(u.pods)+len(u.clusters) == 0 {
		return nil, fmt.Errorf("%s: no ResourceUsage or ClusterResourceUsage document", name)
	}
	if err := u.compileAll(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return u, nil
}

// compileAll compiles every expression now, so a bad one fails the start.
func (u *resourceUsage) compileAll() error {
	check := func(kind, name string, usages []internalversion.ResourceUsageContainer) error {
		for _, c := range usages {
			for res, v := range c.Usage {
				if v.Expression == nil {
					continue
				}
				if _, err := u.compile(*v.Expression); err != nil {
					return fmt.Errorf("%s %s: usage.%s.expression: %w", kind, name, res, err)
				}
			}
		}
		return nil
	}
	for _, ru := range u.pods {
		if err := check(v1alpha1.ResourceUsageKind, ru.Namespace+"/"+ru.Name, ru.Spec.Usages); err != nil {
			return err
		}
	}
	for _, cu := range u.clusters {
		if err := check(v1alpha1.ClusterResourceUsageKind, cu.Name, cu.Spec.Usages); err != nil {
			return err
		}
	}
	return nil
}

func (u *resourceUsage) parse(data []byte) error {
	r := yamlutil.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for doc := 1; ; doc++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", doc, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var meta struct{ Kind string }
		if err := yaml.Unmarshal(raw, &meta); err != nil {
			return fmt.Errorf("document %d: %w", doc, err)
		}
		switch meta.Kind {
		case v1alpha1.ResourceUsageKind:
			u.pods, err = appendConverted(u.pods, raw, internalversion.ConvertToInternalResourceUsage)
		case v1alpha1.ClusterResourceUsageKind:
			u.clusters, err = appendConverted(u.clusters, raw, internalversion.ConvertToInternalClusterResourceUsage)
		default:
			err = fmt.Errorf("want %s or %s", v1alpha1.ResourceUsageKind, v1alpha1.ClusterResourceUsageKind)
		}
		if err != nil {
			return fmt.Errorf("document %d: kind %q: %w", doc, meta.Kind, err)
		}
	}
}

// appendConverted decodes one kwok object strictly (unknown fields fail) and
// appends its internal version.
func appendConverted[In any, Out any](to []Out, raw []byte, convert func(*In) (Out, error)) ([]Out, error) {
	var in In
	if err := yaml.UnmarshalStrict(raw, &in); err != nil {
		return to, err
	}
	out, err := convert(&in)
	if err != nil {
		return to, err
	}
	return append(to, out), nil
}

// container returns the usage of resource (cpu in cores, memory in bytes)
// of one container; 0 when nothing configures it.
func (u *resourceUsage) container(ctx context.Context, resource string, node *corev1.Node, pod *corev1.Pod, c *corev1.Container) (float64, error) {
	entry := u.entryFor(pod, c.Name)
	if entry == nil {
		return 0, nil
	}
	r, ok := entry.Usage[resource]
	if !ok {
		return 0, nil
	}
	if r.Value != nil {
		return r.Value.AsApproximateFloat64(), nil
	}
	if r.Expression == nil {
		return 0, nil
	}
	ev, err := u.compile(*r.Expression)
	if err != nil {
		return 0, err
	}
	return ev.EvaluateFloat64(ctx, kwokmetrics.Data{Node: node, Pod: pod, Container: c})
}

// entryFor picks the usage entry of a container, kwok's precedence.
func (u *resourceUsage) entryFor(pod *corev1.Pod, container string) *internalversion.ResourceUsageContainer {
	for _, ru := range u.pods {
		if ru.Name == pod.Name && ru.Namespace == pod.Namespace {
			return usageEntry(ru.Spec.Usages, container)
		}
	}
	for _, cu := range u.clusters {
		if cu.Spec.Selector != nil && !cu.Spec.Selector.Match(pod.Name, pod.Namespace) {
			continue
		}
		if e := usageEntry(cu.Spec.Usages, container); e != nil {
			return e
		}
	}
	return nil
}

// usageEntry is the entry naming container, else the first naming none.
func usageEntry(usages []internalversion.ResourceUsageContainer, container string) *internalversion.ResourceUsageContainer {
	var fallback *internalversion.ResourceUsageContainer
	for i := range usages {
		switch {
		case slices.Contains(usages[i].Containers, container):
			return &usages[i]
		case len(usages[i].Containers) == 0 && fallback == nil:
			fallback = &usages[i]
		}
	}
	return fallback
}

func (u *resourceUsage) compile(expr string) (*kwokmetrics.Evaluator, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if ev, ok := u.compiled[expr]; ok {
		return ev, nil
	}
	ev, err := u.env.Compile(expr)
	if err != nil {
		return nil, err
	}
	u.compiled[expr] = ev
	return ev, nil
}
