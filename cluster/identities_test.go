package cluster

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// flowSchemaOf makes a GET as identity and returns the name of the
// FlowSchema that API Priority and Fairness classified it by (from the
// X-Kubernetes-PF-FlowSchema-UID response header).
func flowSchemaOf(t *testing.T, identity, path string) string {
	t.Helper()
	cl := sharedCluster(t)
	cfg := restConfigFor(cl.server, cl.pki, identity)
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, cl.server+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s GET %s: HTTP %d, want 200", identity, path, resp.StatusCode)
	}
	uid := types.UID(resp.Header.Get("X-Kubernetes-PF-FlowSchema-UID"))
	super := kubernetes.NewForConfigOrDie(restConfigFor(cl.server, cl.pki, "super-admin"))
	list, err := super.FlowcontrolV1().FlowSchemas().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fs := range list.Items {
		if fs.UID == uid {
			return fs.Name
		}
	}
	t.Fatalf("%s GET %s: no FlowSchema with UID %q", identity, path, uid)
	return ""
}

// Each identity is classified by the default FlowSchema that classifies it
// on a kubeadm cluster; only the break-glass super-admin is exempt.
func TestIdentitiesFlowSchemas(t *testing.T) {
	skipShort(t)
	tests := []struct {
		identity, path, want string
	}{
		{"admin", "/api/v1/namespaces", "global-default"},
		{"super-admin", "/api/v1/namespaces", "exempt"},
		{"kube-scheduler", "/api/v1/pods", "kube-scheduler"},
		{"kube-controller-manager", "/api/v1/namespaces", "kube-controller-manager"},
		{"kwok", "/api/v1/nodes", "system-node-high"},
		{"kwok", "/api/v1/pods", "system-nodes"},
	}
	for _, tt := range tests {
		t.Run(tt.identity+tt.path, func(t *testing.T) {
			if got := flowSchemaOf(t, tt.identity, tt.path); got != tt.want {
				t.Errorf("FlowSchema %q, want %q", got, tt.want)
			}
		})
	}
}

// The admin kubeconfig is cluster-admin through RBAC, not system:masters.
func TestAdminIdentity(t *testing.T) {
	ctx := context.Background()
	review, err := kclient(t).AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	groups := review.Status.UserInfo.Groups
	has := func(g string) bool {
		for _, x := range groups {
			if x == g {
				return true
			}
		}
		return false
	}
	if !has(ClusterAdminsGroup) || has("system:masters") {
		t.Errorf("admin groups %v: want %s and not system:masters", groups, ClusterAdminsGroup)
	}
	if _, err := kclient(t).RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		t.Errorf("admin cannot list ClusterRoles: %v", err)
	}
}

// etcd trusts only its own CA: a certificate of the cluster CA (a
// component's, the admin's) is refused; the API server's etcd-client
// certificate is accepted.
func TestEtcdOwnCA(t *testing.T) {
	cl := sharedCluster(t)
	tests := []struct {
		identity string
		ok       bool
	}{
		{"etcd-client", true},
		{"kube-scheduler", false},
		{"admin", false},
		{"super-admin", false},
	}
	for _, tt := range tests {
		t.Run(tt.identity, func(t *testing.T) {
			tlsInfo := transport.TLSInfo{
				CertFile:      cl.pki.cert(tt.identity),
				KeyFile:       cl.pki.key(tt.identity),
				TrustedCAFile: cl.pki.etcdCACert(),
			}
			tc, err := tlsInfo.ClientConfig()
			if err != nil {
				t.Fatal(err)
			}
			cli, err := clientv3.New(clientv3.Config{Endpoints: []string{cl.Endpoints().EtcdClient}, TLS: tc, DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
			if err != nil {
				if tt.ok {
					t.Fatal(err)
				}
				return
			}
			defer cli.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err = cli.Get(ctx, "/registry/namespaces/default")
			if tt.ok && err != nil {
				t.Errorf("etcd read with the API server's certificate: %v", err)
			}
			if !tt.ok && err == nil {
				t.Errorf("etcd read with the %s certificate of the cluster CA succeeded, want refused", tt.identity)
			}
		})
	}
}
