// Package cluster runs a real Kubernetes control plane inside the perflab
// process: embedded etcd, kube-apiserver, kube-scheduler and
// kube-controller-manager from the k8s.io/kubernetes module, and simulated
// ("hollow") nodes driven by kwok's controllers used as a library.
//
// The cluster also serves metrics.k8s.io (kubectl top) from an in-process
// aggregated API server whose usage is simulated from kwok ResourceUsage and
// ClusterResourceUsage objects (metrics_api.go, resource_usage.go).
//
// It is what every perflab command targets when the user gives no
// kubeconfig. Every listener binds 127.0.0.1, serving uses TLS with a CA made
// in-process, clients authenticate with certificates, anonymous requests are
// refused and RBAC is on.
//
// The components share process-global state (klog, feature gates, the
// legacy metrics registry), so a process runs at most one cluster. One useful
// consequence: the API server's /metrics exposes the scheduler's and the
// controller-manager's series too (workqueue_depth, scheduler_*).
package cluster
