package cluster

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ContextName is the kubeconfig context perflab writes.
const ContextName = "perflab"

// writeKubeconfig writes a kubeconfig for the named client identity with
// the credentials embedded, mode 0600.
func writeKubeconfig(path, server string, p pki, identity string) error {
	ca, err := os.ReadFile(p.caCert())
	if err != nil {
		return err
	}
	cert, err := os.ReadFile(p.cert(identity))
	if err != nil {
		return err
	}
	key, err := os.ReadFile(p.key(identity))
	if err != nil {
		return err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[ContextName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos[identity] = &clientcmdapi.AuthInfo{ClientCertificateData: cert, ClientKeyData: key}
	cfg.Contexts[ContextName] = &clientcmdapi.Context{Cluster: ContextName, AuthInfo: identity}
	cfg.CurrentContext = ContextName
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("encode kubeconfig %s: %w", path, err)
	}
	return writeFileAtomic(path, b, 0o600)
}

// restConfigFor returns a client config for an identity from its files.
func restConfigFor(server string, p pki, identity string) *rest.Config {
	return &rest.Config{
		Host: server,
		TLSClientConfig: rest.TLSClientConfig{
			CAFile:   p.caCert(),
			CertFile: p.cert(identity),
			KeyFile:  p.key(identity),
		},
		// Sized for a load generator sharing the client; callers that pace
		// their own calls replace the limiter.
		QPS:   1000,
		Burst: 2000,
	}
}

// protobuf makes c speak protobuf to built-in APIs, as the components do;
// for lists of thousands of nodes or pods it costs a fraction of JSON.
func protobuf(c *rest.Config) *rest.Config {
	c.ContentType = "application/vnd.kubernetes.protobuf"
	c.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	return c
}

// kubeconfigPath: the two admin kubeconfigs sit at the top of the data
// directory (as kubeadm's admin.conf and super-admin.conf), the components'
// in pki/.
func kubeconfigPath(dataDir, identity string) string {
	if identity == "admin" || identity == "super-admin" {
		return filepath.Join(dataDir, identity+".kubeconfig")
	}
	return filepath.Join(dataDir, "pki", identity+".kubeconfig")
}
