package main

import (
	"log/slog"

	"github.com/spf13/pflag"
)

// cl2IgnoredFlags are ClusterLoader2's command-line flags (cmd/clusterloader.go
// and the prometheus, exec service, image preload and modifier flag sets,
// plus klog's) that mean nothing for perflab: they are accepted, so CL2
// command lines run unchanged, and each one given is logged as ignored.
// --v is klog's verbosity: 4 or more turns on debug logs.
var cl2IgnoredFlags = struct {
	strings, bools, ints, durations []string
}{
	strings: []string{"etcd-certificate", "etcd-key", "mastername", "master-endpoint", "kubemark-root-kubeconfig",
		"testsuite", "registry-k8s-repo", "node-preload-images", "skip-steps", "experimental-gcp-snapshot-prometheus-disk",
		"experimental-prometheus-disk-snapshot-name", "experimental-snapshot-project", "prometheus-kube-proxy-selector-key",
		"prometheus-additional-monitors-path", "prometheus-storage-class-provisioner", "prometheus-storage-class-volume-type",
		"prometheus-pvc-storage-class", "prometheus-memory-request", "prometheus-manifest-path", "log_dir", "log_file",
		"masterip", "master-internal-ip", "provider-configs", "exec-service-manifest-path"},
	bools: []string{"run-from-cluster", "delete-stale-namespaces", "delete-automanaged-namespaces",
		"apiserver-pprof-by-client-enabled", "skip-cluster-verification", "tear-down-prometheus-server",
		"enable-pushgateway", "prometheus-scrape-etcd", "prometheus-scrape-node-exporter",
		"prometheus-scrape-windows-node-exporter", "prometheus-scrape-kubelets", "prometheus-scrape-master-kubelets",
		"prometheus-scrape-kube-proxy", "prometheus-scrape-apiserver-only", "prometheus-scrape-kube-state-metrics",
		"prometheus-scrape-metrics-server", "prometheus-scrape-node-local-dns", "prometheus-scrape-anet",
		"prometheus-scrape-kube-network-policies", "prometheus-scrape-masters-with-public-ips",
		"experimental-prometheus-snapshot-to-report-dir", "enable-exec-service", "overwrite-test-config",
		"logtostderr", "alsologtostderr", "add_dir_header", "skip_headers", "skip_log_headers", "one_output"},
	ints: []string{"kubelet-port", "k8s-clients-number", "etcd-insecure-port", "etcd-pprof-port",
		"etcd-events-pprof-port", "port", "prometheus-apiserver-scrape-port", "stderrthreshold", "log_file_max_size"},
	durations: []string{"heap-profile-interval", "node-preload-images-timeout", "prometheus-ready-timeout"},
}

// addCL2CompatFlags registers CL2's flags perflab ignores (hidden; listed in
// docs/cl2.md) and --v. The returned func logs the ones given and applies
// --v unless --log-level was set.
func addCL2CompatFlags(fs *pflag.FlagSet) func() error {
	hide := func(name string) { _ = fs.MarkHidden(name) }
	for _, n := range cl2IgnoredFlags.strings {
		fs.String(n, "", "ClusterLoader2 flag, no effect in perflab")
		hide(n)
	}
	for _, n := range cl2IgnoredFlags.bools {
		fs.Bool(n, false, "ClusterLoader2 flag, no effect in perflab")
		hide(n)
	}
	for _, n := range cl2IgnoredFlags.ints {
		fs.Int(n, 0, "ClusterLoader2 flag, no effect in perflab")
		hide(n)
	}
	for _, n := range cl2IgnoredFlags.durations {
		fs.Duration(n, 0, "ClusterLoader2 flag, no effect in perflab")
		hide(n)
	}
	v := fs.Int("v", 0, "ClusterLoader2's (klog's) verbosity: 4 or more logs at debug level (unless --log-level is given)")
	return func() error {
		fs.Visit(func(f *pflag.Flag) {
			if f.Hidden {
				slog.Info("ClusterLoader2 flag accepted; it has no effect in perflab", "flag", "--"+f.Name, "value", f.Value.String())
			}
		})
		if fs.Changed("v") && !fs.Changed("log-level") && *v >= 4 {
			return setupLogging("debug")
		}
		return nil
	}
}
