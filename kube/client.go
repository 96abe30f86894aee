package kube

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
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
	disc, err := discovery.NewDiscoveryClientForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kube: discovery client: %w", err)
	}
	return &Client{
		Config:  c,
		Dynamic: dyn,
		Typed:   typed,
		mapper:  restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc)),
		cache:   map[schema.GroupKind]Mapping{},
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
