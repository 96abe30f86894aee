package cluster

import (
	"crypto/x509"
	"crypto/x509/pkix"
)

// The aggregated metrics API: the API server proxies metrics.k8s.io to an
// in-process server, identifying itself with the front-proxy client
// certificate; the server presents a certificate for its Service name.
const (
	metricsServiceNamespace = "kube-system"
	metricsServiceName      = "perflab-metrics"
	frontProxyUser          = "perflab-front-proxy"
)

func metricsServiceHost() string {
	return metricsServiceName + "." + metricsServiceNamespace + ".svc"
}

func (p pki) frontProxyCACert() string { return p.path("front-proxy-ca.crt") }
func (p pki) frontProxyCAKey() string  { return p.path("front-proxy-ca.key") }

// ensureMetricsAPICerts creates the front-proxy CA and its client
// certificate, and the metrics server's serving certificate (signed by the
// cluster CA, which the APIService trusts), unless they exist. The front
// proxy has a CA of its own so that no other client certificate of the
// cluster can assert a user in X-Remote-* headers.
func (p pki) ensureMetricsAPICerts() error {
	fpCA, fpKey, err := p.loadOrCreateCA(p.frontProxyCACert(), p.frontProxyCAKey(), "perflab-front-proxy-ca")
	if err != nil {
		return err
	}
	if err := p.ensureLeaf("front-proxy-client", &x509.Certificate{
		Subject:     pkix.Name{CommonName: frontProxyUser},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, fpCA, fpKey); err != nil {
		return err
	}
	ca, caKey, err := p.loadOrCreateCA(p.caCert(), p.caKey(), "perflab-ca")
	if err != nil {
		return err
	}
	return p.ensureLeaf("metrics-serving", &x509.Certificate{
		Subject:     pkix.Name{CommonName: metricsServiceHost()},
		DNSNames:    []string{metricsServiceHost()},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca, caKey)
}

// frontProxyArgs are the kube-apiserver flags for proxying to aggregated
// APIs: its client certificate, and which certificates may assert a user
// in X-Remote-* headers (only the front-proxy's own name).
func frontProxyArgs(p pki) []string {
	return []string{
		"proxy-client-cert-file", p.cert("front-proxy-client"),
		"proxy-client-key-file", p.key("front-proxy-client"),
		"requestheader-client-ca-file", p.frontProxyCACert(),
		"requestheader-allowed-names", frontProxyUser,
		"requestheader-username-headers", "X-Remote-User",
		"requestheader-group-headers", "X-Remote-Group",
		"requestheader-extra-headers-prefix", "X-Remote-Extra-",
	}
}
