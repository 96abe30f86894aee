package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	"k8s.io/utils/ptr"
)

// metricsResolver sends the aggregator's requests for the metrics Service to
// the in-process server on 127.0.0.1 (a Service cannot point at loopback:
// endpoints reject it); every other service resolves as before.
type metricsResolver struct {
	addr string // host:port of the metrics server
	next interface {
		ResolveEndpoint(namespace, name string, port int32) (*url.URL, error)
	}
}

func (r metricsResolver) ResolveEndpoint(namespace, name string, port int32) (*url.URL, error) {
	if namespace == metricsServiceNamespace && name == metricsServiceName {
		return &url.URL{Scheme: "https", Host: r.addr}, nil
	}
	return r.next.ResolveEndpoint(namespace, name, port)
}

// registerMetricsAPI creates (or updates) the Service and the APIService
// that make the aggregator proxy metrics.k8s.io/v1beta1 to the in-process
// server. The Service is of type ExternalName so that the aggregator's
// availability check does not look for endpoints.
func registerMetricsAPI(ctx context.Context, cfg *rest.Config, p pki) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("metrics API: %w", err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: metricsServiceName, Namespace: metricsServiceNamespace,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "perflab"}},
		Spec: corev1.ServiceSpec{
			Type:         corev1.ServiceTypeExternalName,
			ExternalName: metricsServiceHost() + ".cluster.local",
			Ports:        []corev1.ServicePort{{Name: "https", Port: 443}},
		},
	}
	if _, err := cs.CoreV1().Services(svc.Namespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("metrics API: service: %w", err)
	}
	caPEM, err := p.caPEM()
	if err != nil {
		return fmt.Errorf("metrics API: %w", err)
	}
	ac, err := aggregator.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("metrics API: %w", err)
	}
	want := &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1beta1.metrics.k8s.io",
			Labels: map[string]string{"app.kubernetes.io/managed-by": "perflab"}},
		Spec: apiregistrationv1.APIServiceSpec{
			Service:              &apiregistrationv1.ServiceReference{Namespace: metricsServiceNamespace, Name: metricsServiceName, Port: ptr.To[int32](443)},
			Group:                "metrics.k8s.io",
			Version:              "v1beta1",
			CABundle:             caPEM,
			GroupPriorityMinimum: 100,
			VersionPriority:      100,
		},
	}
	api := ac.ApiregistrationV1().APIServices()
	// The aggregator's availability controller writes the status of an
	// existing APIService while we update its spec: retry on conflict.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			_, err = api.Create(ctx, want, metav1.CreateOptions{})
		case err == nil:
			got.Spec = want.Spec
			_, err = api.Update(ctx, got, metav1.UpdateOptions{})
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("metrics API: apiservice: %w", err)
	}
	return nil
}

// startMetricsAPI serves metrics.k8s.io until runCtx ends, registers it with
// the aggregator, and waits (bounded by ctx and 30s) until the aggregator
// reports it Available, so `kubectl top` answers as soon as Start returns.
func startMetricsAPI(ctx, runCtx context.Context, ln net.Listener, cfg *rest.Config, p pki, usage *resourceUsage) error {
	if err := serveMetricsAPI(runCtx, ln, cfg, p, usage); err != nil {
		return err
	}
	if err := registerMetricsAPI(ctx, cfg, p); err != nil {
		return err
	}
	ac, err := aggregator.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("metrics API: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = wait.PollUntilContextCancel(wctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		s, err := ac.ApiregistrationV1().APIServices().Get(ctx, "v1beta1.metrics.k8s.io", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, c := range s.Status.Conditions {
			if c.Type == apiregistrationv1.Available && c.Status == apiregistrationv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		slog.Warn("metrics.k8s.io is not Available yet; kubectl top may fail for a while", "err", err)
	}
	return nil
}
