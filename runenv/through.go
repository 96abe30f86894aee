package runenv

import (
	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/kube"
)

// Through returns a copy of e whose clients reach the same cluster through
// cfg (a proxy such as perflab tap) and whose hooks use kubeconfig. The
// copy closes nothing: e still owns what it started.
func (e *Env) Through(cfg *rest.Config, kubeconfig string) (*Env, error) {
	c, err := kube.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Env{Name: e.Name, Kubeconfig: kubeconfig, Config: cfg, Client: c, Embedded: e.Embedded, Prometheus: e.Prometheus}, nil
}
