package cluster

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// writePrometheusConfig writes <data-dir>/prometheus.yml: a scrape config
// for a real Prometheus. The apiserver job also carries the scheduler's and
// controller-manager's series (one process, one registry). Job names follow
// kube-prometheus-stack's (apiserver, kube-etcd) so the seed's queries and
// dashboards work unchanged.
func writePrometheusConfig(dataDir string, p pki, pt ports) (string, error) {
	path := filepath.Join(dataDir, "prometheus.yml")
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by perflab for the embedded cluster in %s.
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: apiserver
    scheme: https
    tls_config:
      ca_file: %s
      cert_file: %s
      key_file: %s
    static_configs:
      - targets: ['127.0.0.1:%s']
  - job_name: kube-etcd
    static_configs:
      - targets: ['127.0.0.1:%s']
`, dataDir, p.caCert(), p.cert("admin"), p.key("admin"),
		strconv.Itoa(pt.APIServer), strconv.Itoa(pt.EtcdMetrics))
	return path, writeFileAtomic(path, []byte(b.String()), 0o600)
}
