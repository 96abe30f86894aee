package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

const metricsGroupVersion = "metrics.k8s.io/v1beta1"

// metricsAPI serves metrics.k8s.io (what `kubectl top` reads) from the
// simulated usage of running pods. The API server reaches it through the
// aggregator; it accepts only the API server's front-proxy certificate,
// since the API server has already authenticated and authorized the user.
type metricsAPI struct {
	usage *resourceUsage
	pods  corelisters.PodLister
	nodes corelisters.NodeLister
}

// listenMetricsAPI reserves the metrics server's port on 127.0.0.1 before
// the API server starts, so the aggregator knows where to proxy.
func listenMetricsAPI() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("metrics API: listen: %w", err)
	}
	return ln, nil
}

// serveMetricsAPI syncs pod and node informers and serves on ln with TLS
// until ctx ends.
func serveMetricsAPI(ctx context.Context, ln net.Listener, cfg *rest.Config, p pki, usage *resourceUsage) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("metrics API: client: %w", err)
	}
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTransform(trimForUsage))
	api := &metricsAPI{usage: usage, pods: f.Core().V1().Pods().Lister(), nodes: f.Core().V1().Nodes().Lister()}
	f.Start(ctx.Done())
	go func() { <-ctx.Done(); f.Shutdown() }()
	for typ, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("metrics API: %v informer did not sync", typ)
		}
	}
	tlsConfig, err := metricsTLS(p)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api.handler(), TLSConfig: tlsConfig, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelDebug)}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) && ctx.Err() == nil {
			slog.Error("metrics API", "err", err)
		}
	}()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return nil
}

func metricsTLS(p pki) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(p.cert("metrics-serving"), p.key("metrics-serving"))
	if err != nil {
		return nil, fmt.Errorf("metrics API: %w", err)
	}
	caPEM, err := os.ReadFile(p.frontProxyCACert())
	if err != nil {
		return nil, fmt.Errorf("metrics API: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// trimForUsage keeps what usage expressions and the API read.
func trimForUsage(obj any) (any, error) {
	if a, ok := obj.(metav1.ObjectMetaAccessor); ok {
		a.GetObjectMeta().SetManagedFields(nil)
	}
	return obj, nil
}

func (a *metricsAPI) handler() http.Handler {
	mux := http.NewServeMux()
	prefix := "/apis/" + metricsGroupVersion
	mux.HandleFunc("GET "+prefix, a.discovery)
	mux.HandleFunc("GET "+prefix+"/nodes", a.listNodes)
	mux.HandleFunc("GET "+prefix+"/nodes/{name}", a.getNode)
	mux.HandleFunc("GET "+prefix+"/pods", a.listPods)
	mux.HandleFunc("GET "+prefix+"/namespaces/{ns}/pods", a.listPods)
	mux.HandleFunc("GET "+prefix+"/namespaces/{ns}/pods/{name}", a.getPod)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != frontProxyUser {
			writeStatus(w, http.StatusForbidden, "only the API server's front proxy may call this server")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (a *metricsAPI) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, &metav1.APIResourceList{
		TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: metricsGroupVersion,
		APIResources: []metav1.APIResource{
			{Name: "nodes", Kind: "NodeMetrics", Verbs: metav1.Verbs{"get", "list"}},
			{Name: "pods", Namespaced: true, Kind: "PodMetrics", Verbs: metav1.Verbs{"get", "list"}},
		},
	})
}

func (a *metricsAPI) listNodes(w http.ResponseWriter, r *http.Request) {
	sel, ok := selectorOf(w, r)
	if !ok {
		return
	}
	nodes, err := a.nodes.List(sel)
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, err.Error())
		return
	}
	byNode := a.runningPodsByNode()
	list := &metricsv1beta1.NodeMetricsList{TypeMeta: metav1.TypeMeta{Kind: "NodeMetricsList", APIVersion: metricsGroupVersion}}
	for _, n := range nodes {
		list.Items = append(list.Items, a.nodeMetrics(r.Context(), n, byNode[n.Name]))
	}
	writeJSON(w, list)
}

func (a *metricsAPI) getNode(w http.ResponseWriter, r *http.Request) {
	n, err := a.nodes.Get(r.PathValue("name"))
	if err != nil {
		writeStatus(w, http.StatusNotFound, fmt.Sprintf("nodemetrics %q not found", r.PathValue("name")))
		return
	}
	nm := a.nodeMetrics(r.Context(), n, a.runningPodsByNode()[n.Name])
	nm.TypeMeta = metav1.TypeMeta{Kind: "NodeMetrics", APIVersion: metricsGroupVersion}
	writeJSON(w, &nm)
}

func (a *metricsAPI) listPods(w http.ResponseWriter, r *http.Request) {
	sel, ok := selectorOf(w, r)
	if !ok {
		return
	}
	ns := r.PathValue("ns")
	var pods []*corev1.Pod
	var err error
	if ns == "" {
		pods, err = a.pods.List(sel)
	} else {
		pods, err = a.pods.Pods(ns).List(sel)
	}
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, err.Error())
		return
	}
	list := &metricsv1beta1.PodMetricsList{TypeMeta: metav1.TypeMeta{Kind: "PodMetricsList", APIVersion: metricsGroupVersion}}
	for _, p := range pods {
		if running(p) {
			list.Items = append(list.Items, a.podMetrics(r.Context(), p))
		}
	}
	writeJSON(w, list)
}

func (a *metricsAPI) getPod(w http.ResponseWriter, r *http.Request) {
	p, err := a.pods.Pods(r.PathValue("ns")).Get(r.PathValue("name"))
	if err != nil || !running(p) {
		writeStatus(w, http.StatusNotFound, fmt.Sprintf("podmetrics %q not found", r.PathValue("ns")+"/"+r.PathValue("name")))
		return
	}
	pm := a.podMetrics(r.Context(), p)
	pm.TypeMeta = metav1.TypeMeta{Kind: "PodMetrics", APIVersion: metricsGroupVersion}
	writeJSON(w, &pm)
}

// running pods are the ones a kubelet reports usage for.
func running(p *corev1.Pod) bool { return p.Spec.NodeName != "" && p.Status.Phase == corev1.PodRunning }

func (a *metricsAPI) runningPodsByNode() map[string][]*corev1.Pod {
	pods, _ := a.pods.List(labels.Everything())
	out := map[string][]*corev1.Pod{}
	for _, p := range pods {
		if running(p) {
			out[p.Spec.NodeName] = append(out[p.Spec.NodeName], p)
		}
	}
	return out
}

// nodeMetrics is the sum of the node's running containers, as kwok's
// emulated kubelet reports a node.
func (a *metricsAPI) nodeMetrics(ctx context.Context, n *corev1.Node, pods []*corev1.Pod) metricsv1beta1.NodeMetrics {
	var cpu, mem float64
	for _, p := range pods {
		for i := range p.Spec.Containers {
			c, m := a.containerUsage(ctx, n, p, &p.Spec.Containers[i])
			cpu, mem = cpu+c, mem+m
		}
	}
	return metricsv1beta1.NodeMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels, CreationTimestamp: metav1.Now()},
		Timestamp:  metav1.Now(),
		Usage:      usageList(cpu, mem),
	}
}

func (a *metricsAPI) podMetrics(ctx context.Context, p *corev1.Pod) metricsv1beta1.PodMetrics {
	node, _ := a.nodes.Get(p.Spec.NodeName)
	pm := metricsv1beta1.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, Labels: p.Labels, CreationTimestamp: metav1.Now()},
		Timestamp:  metav1.Now(),
	}
	for i := range p.Spec.Containers {
		c := &p.Spec.Containers[i]
		cpu, mem := a.containerUsage(ctx, node, p, c)
		pm.Containers = append(pm.Containers, metricsv1beta1.ContainerMetrics{Name: c.Name, Usage: usageList(cpu, mem)})
	}
	return pm
}

// containerUsage evaluates cpu (cores) and memory (bytes); an expression
// that fails counts 0 and is logged at debug level (the log would
// otherwise repeat on every request).
func (a *metricsAPI) containerUsage(ctx context.Context, n *corev1.Node, p *corev1.Pod, c *corev1.Container) (float64, float64) {
	cpu, err := a.usage.container(ctx, "cpu", n, p, c)
	if err != nil {
		slog.Debug("simulated cpu usage", "pod", p.Namespace+"/"+p.Name, "container", c.Name, "err", err)
	}
	mem, err := a.usage.container(ctx, "memory", n, p, c)
	if err != nil {
		slog.Debug("simulated memory usage", "pod", p.Namespace+"/"+p.Name, "container", c.Name, "err", err)
	}
	return cpu, mem
}

func usageList(cpuCores, memBytes float64) corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(cpuCores*1000+0.5), resource.DecimalSI),
		corev1.ResourceMemory: *resource.NewQuantity(int64(memBytes+0.5), resource.BinarySI),
	}
}

func selectorOf(w http.ResponseWriter, r *http.Request) (labels.Selector, bool) {
	s := r.URL.Query().Get("labelSelector")
	sel, err := labels.Parse(s)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, fmt.Sprintf("labelSelector %q: %v", s, err))
		return nil, false
	}
	return sel, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeStatus(w http.ResponseWriter, code int, msg string) {
	reason := metav1.StatusReasonNotFound
	switch code {
	case http.StatusForbidden:
		reason = metav1.StatusReasonForbidden
	case http.StatusBadRequest:
		reason = metav1.StatusReasonBadRequest
	case http.StatusInternalServerError:
		reason = metav1.StatusReasonInternalError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(&metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Message: strings.TrimSpace(msg), Reason: reason, Code: int32(code),
	})
}
