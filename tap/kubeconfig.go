package tap

import (
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ContextName is the context of the kubeconfig the tap writes.
const ContextName = "perflab-tap"

// ClientConfig is a client configuration that goes through the tap, with
// the target's client-side QPS and burst.
func (t *Tap) ClientConfig() *rest.Config {
	return &rest.Config{
		Host: t.Server(),
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   t.creds.caPEM,
			CertData: t.creds.clientPEM,
			KeyData:  t.creds.keyPEM,
		},
		QPS:         t.o.Target.QPS,
		Burst:       t.o.Target.Burst,
		RateLimiter: t.o.Target.RateLimiter,
		UserAgent:   t.o.Target.UserAgent,
	}
}

// WriteKubeconfig writes a kubeconfig (mode 0600) that reaches the target
// through the tap. It is valid while this tap runs.
func (t *Tap) WriteKubeconfig(path string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[ContextName] = &clientcmdapi.Cluster{Server: t.Server(), CertificateAuthorityData: t.creds.caPEM}
	cfg.AuthInfos[ContextName] = &clientcmdapi.AuthInfo{ClientCertificateData: t.creds.clientPEM, ClientKeyData: t.creds.keyPEM}
	cfg.Contexts[ContextName] = &clientcmdapi.Context{Cluster: ContextName, AuthInfo: ContextName}
	cfg.CurrentContext = ContextName
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("encode kubeconfig %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--write-kubeconfig %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("--write-kubeconfig %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("--write-kubeconfig %s: %w", path, err)
	}
	return f.Close()
}
