package cluster

import (
	"context"
	"fmt"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// clientIdentity is a client certificate subject: CN is the user, O the
// groups. etcd marks a certificate of etcd's own CA.
type clientIdentity struct {
	file   string
	cn     string
	groups []string
	etcd   bool
}

// Groups and users of the identities, as on a kubeadm cluster.
const (
	// ClusterAdminsGroup is the everyday admin's group, bound to the
	// cluster-admin ClusterRole by a ClusterRoleBinding of the same name
	// (kubeadm's since Kubernetes 1.29). Unlike system:masters it is not
	// exempt from API Priority and Fairness.
	ClusterAdminsGroup = "kubeadm:cluster-admins"
	nodesGroup         = "system:nodes"
	kwokUser           = "perflab-kwok"
	kwokRole           = "perflab:kwok"
	provisionerUser    = "perflab-volume-provisioner"
	provisionerRole    = "perflab:volume-provisioner"
)

// The identities the cluster issues.
//
//   - admin (admin.kubeconfig) is in kubeadm:cluster-admins: cluster-admin
//     through RBAC, and classified by the default FlowSchemas like any
//     user (global-default), so perflab's load meets APF's queues and 429s.
//   - super-admin (super-admin.kubeconfig) is in system:masters, exempt from
//     APF and RBAC: break-glass only.
//   - kube-scheduler and kube-controller-manager are the users the default
//     RBAC policy and FlowSchemas know.
//   - kwok acts as the kubelet of every hollow node through one client, so it
//     cannot be system:node:<name> (the Node authorizer and NodeRestriction
//     would confine it to that one node). It is in system:nodes, which the
//     FlowSchemas system-node-high and system-nodes match, with a user name
//     outside system:node:* and RBAC granting what a kubelet does.
//   - the volume provisioner is a client like an external provisioner's.
//   - etcd-client is the API server's certificate for etcd, of etcd's CA.
var clientIdentities = []clientIdentity{
	{file: "admin", cn: "perflab-admin", groups: []string{ClusterAdminsGroup}},
	{file: "super-admin", cn: "perflab-super-admin", groups: []string{"system:masters"}},
	{file: "kube-scheduler", cn: "system:kube-scheduler"},
	{file: "kube-controller-manager", cn: "system:kube-controller-manager"},
	{file: "kwok", cn: kwokUser, groups: []string{nodesGroup}},
	{file: "volume-provisioner", cn: provisionerUser},
	{file: "etcd-client", cn: "kube-apiserver-etcd-client", etcd: true},
}

// kubeconfigIdentities get a kubeconfig file.
var kubeconfigIdentities = []string{"admin", "super-admin", "kube-scheduler", "kube-controller-manager", "kwok", "volume-provisioner"}

// rbacPolicy is what perflab adds to the default RBAC policy at start-up.
func rbacPolicy() ([]*rbacv1.ClusterRole, []*rbacv1.ClusterRoleBinding) {
	all := []string{"get", "list", "watch", "create", "update", "patch", "delete"}
	roles := []*rbacv1.ClusterRole{
		{
			ObjectMeta: metav1.ObjectMeta{Name: kwokRole},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"nodes", "nodes/status", "pods", "pods/status"}, Verbs: all},
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: all},
				{APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "update", "patch"}},
				{APIGroups: []string{"kwok.x-k8s.io"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}},
			},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: provisionerRole},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"persistentvolumes"}, Verbs: all},
				{APIGroups: []string{""}, Resources: []string{"persistentvolumeclaims"}, Verbs: []string{"get", "list", "watch", "update", "patch"}},
				{APIGroups: []string{""}, Resources: []string{"persistentvolumeclaims/status"}, Verbs: []string{"update", "patch"}},
				{APIGroups: []string{"storage.k8s.io"}, Resources: []string{"storageclasses"}, Verbs: []string{"get", "list", "watch"}},
				{APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "update", "patch"}},
			},
		},
	}
	binding := func(name, role, kind, subject string) *rbacv1.ClusterRoleBinding {
		return &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: kind, Name: subject}},
		}
	}
	bindings := []*rbacv1.ClusterRoleBinding{
		binding(ClusterAdminsGroup, "cluster-admin", rbacv1.GroupKind, ClusterAdminsGroup),
		binding(kwokRole, kwokRole, rbacv1.UserKind, kwokUser),
		binding(provisionerRole, provisionerRole, rbacv1.UserKind, provisionerUser),
	}
	return roles, bindings
}

// ensureRBAC creates or updates perflab's roles and bindings (with the
// super-admin client: the others have no rights yet), then waits until the
// admin identity is authorized, as the RBAC authorizer sees new bindings
// through its cache.
func ensureRBAC(ctx context.Context, super, admin kubernetes.Interface) error {
	roles, bindings := rbacPolicy()
	rbac := super.RbacV1()
	for _, r := range roles {
		if _, err := rbac.ClusterRoles().Create(ctx, r, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
			_, err = rbac.ClusterRoles().Update(ctx, r, metav1.UpdateOptions{})
			if err != nil {
				return fmt.Errorf("update ClusterRole %s: %w", r.Name, err)
			}
		} else if err != nil {
			return fmt.Errorf("create ClusterRole %s: %w", r.Name, err)
		}
	}
	for _, b := range bindings {
		if _, err := rbac.ClusterRoleBindings().Create(ctx, b, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
			_, err = rbac.ClusterRoleBindings().Update(ctx, b, metav1.UpdateOptions{})
			if err != nil {
				return fmt.Errorf("update ClusterRoleBinding %s: %w", b.Name, err)
			}
		} else if err != nil {
			return fmt.Errorf("create ClusterRoleBinding %s: %w", b.Name, err)
		}
	}
	var last error
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, last = admin.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 1})
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("admin identity (%s) not authorized after creating its binding (last: %v): %w", ClusterAdminsGroup, last, err)
	}
	return nil
}
