package kube

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/util/flowcontrol"
)

// Client is the bundle of clients for one cluster, built once and shared by
// every job. Its own client-side rate limit is off: callers throttle with a
// per-job Limiter instead, so one token bucket governs each job's calls.
type Client struct {
	Config  *rest.Config
	Dynamic dynamic.Interface
	Typed   kubernetes.Interface // protobuf, for informers and lists of built-in kinds
	// Metadata lists and watches any kind as object metadata only (protobuf).
	Metadata metadata.Interface
	// raw sends pre-encoded JSON bodies and skips decoding responses.
	raw rest.Interface

	disc   discovery.DiscoveryInterface
	mapper *restmapper.DeferredDiscoveryRESTMapper
	mu     sync.Mutex
	cache  map[schema.GroupKind]Mapping
}

// Mapping is where a kind lives in the API.
type Mapping struct {
	GVR        schema.GroupVersionResource
	GVK        schema.GroupVersionKind
	Namespaced bool
}

// NewClient builds the bundle from cfg (which it copies).
func NewClient(cfg *rest.Config) (*Client, error) {
	if cfg == nil {
		return nil, fmt.Errorf("kube: nil rest config")
	}
	c := rest.CopyConfig(cfg)
	c.RateLimiter = flowcontrol.NewFakeAlwaysRateLimiter()
	c.QPS, c.Burst = -1, 0
	if c.UserAgent == "" {
		c.UserAgent = "perflab"
	}
	dyn, err := dynamic.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kube: dynamic client: %w", err)
	}
	pc := rest.CopyConfig(c)
	pc.ContentType = "application/vnd.kubernetes.protobuf"
	pc.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	typed, err := kubernetes.NewForConfig(pc)
	if err != nil {
		return nil, fmt.Errorf("kube: typed client: %w", err)
	}
	raw, err := rest.UnversionedRESTClientFor(dynamic.ConfigFor(c))
	if err != nil {
		return nil, fmt.Errorf("kube: raw client: %w", err)
	}
	md, err := metadata.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kube: metadata client: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kube: discovery client: %w", err)
	}
	return &Client{
		Config:   c,
		Dynamic:  dyn,
		Typed:    typed,
		Metadata: md,
		raw:      raw,
		disc:     disc,
		mapper:   restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc)),
		cache:    map[schema.GroupKind]Mapping{},
	}, nil
}

// Map resolves a kind (apiVersion may be "" for the preferred version) to its
// resource. Results are cached; an unknown kind resets discovery once, so CRDs
// created during a run are found.
func (c *Client) Map(apiVersion, kind string) (Mapping, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return Mapping{}, fmt.Errorf("apiVersion %q: %w", apiVersion, err)
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: kind}
	c.mu.Lock()
	m, ok := c.cache[gk]
	c.mu.Unlock()
	if ok && (gv.Version == "" || m.GVK.Version == gv.Version) {
		return m, nil
	}
	versions := []string{}
	if gv.Version != "" {
		versions = append(versions, gv.Version)
	}
	rm, err := c.mapper.RESTMapping(gk, versions...)
	if meta.IsNoMatchError(err) {
		c.mapper.Reset()
		rm, err = c.mapper.RESTMapping(gk, versions...)
	}
	if err != nil {
		return Mapping{}, fmt.Errorf("kind %s %s: %w", apiVersion, kind, err)
	}
	m = Mapping{GVR: rm.Resource, GVK: rm.GroupVersionKind, Namespaced: rm.Scope.Name() == meta.RESTScopeNameNamespace}
	c.mu.Lock()
	c.cache[gk] = m
	c.mu.Unlock()
	return m, nil
}

// Deletable lists every resource of the cluster (preferred versions, no
// subresources) that can be listed and deleted: where a run's labelled
// objects can be. Groups the server fails to describe are skipped.
func (c *Client) Deletable() ([]Mapping, error) {
	lists, err := c.disc.ServerPreferredResources()
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("kube: discovery: %w", err)
	}
	var out []Mapping
	for _, l := range lists {
		gv, perr := schema.ParseGroupVersion(l.GroupVersion)
		if perr != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "delete") {
				continue
			}
			out = append(out, Mapping{GVR: gv.WithResource(r.Name), GVK: gv.WithKind(r.Kind), Namespaced: r.Namespaced})
		}
	}
	return out, nil
}
