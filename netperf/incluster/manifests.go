package incluster

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/perflab/perflab/netperf"
)

// Labels on everything perflab netperf cluster creates.
const (
	labelApp       = "app.kubernetes.io/name"
	labelManagedBy = "app.kubernetes.io/managed-by"
	labelRole      = "perflab.io/netperf-role"
	appName        = "perflab-netperf"
	hostnameKey    = "kubernetes.io/hostname"
	serverPort     = netperf.DefaultPort
)

// Pod roles.
const (
	roleServer      = "server"
	roleHostServer  = "host-server"
	roleClientSame  = "client-same-node"
	roleClientOther = "client-other-node"
	roleHostClient  = "host-client"
)

func labels(role string) map[string]string {
	return map[string]string{labelApp: appName, labelManagedBy: "perflab", labelRole: role}
}

func roleSelector(role string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{labelApp: appName, labelRole: role}}
}

// placement says where a pod goes relative to a server pod.
type placement int

const (
	anywhere  placement = iota
	sameNode            // required pod affinity to the server on kubernetes.io/hostname
	otherNode           // required pod anti-affinity to the server on kubernetes.io/hostname
)

func affinity(p placement, serverRole string) *corev1.Affinity {
	term := []corev1.PodAffinityTerm{{LabelSelector: roleSelector(serverRole), TopologyKey: hostnameKey}}
	switch p {
	case sameNode:
		return &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: term}}
	case otherNode:
		return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: term}}
	}
	return nil
}

// podSpec describes one pod to create.
type podSpec struct {
	role        string
	hostNetwork bool
	place       placement
	placeBy     string // server role the placement refers to
	server      bool   // runs the netperf server on the pod's IP, port 5201
}

// tokenSecret holds the session token every pod's netperf sees as
// $PERFLAB_NETPERF_TOKEN: servers require it, clients present it.
const tokenSecret = "netperf-token"

func secret(ns, token string) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: tokenSecret, Namespace: ns, Labels: labels("token")},
		StringData: map[string]string{"token": token},
	}
}

// pod renders a pod running the perflab image. Servers serve; clients run an
// idle server on loopback (port 0) so the container stays up for pod exec.
func pod(ns, image string, s podSpec) *corev1.Pod {
	cmd := []string{"perflab", "netperf", "server", "--bind", "127.0.0.1", "--port", "0"}
	var ports []corev1.ContainerPort
	env := []corev1.EnvVar{
		{Name: netperf.TokenEnv, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: tokenSecret}, Key: "token"}}},
	}
	if s.server {
		// The pod's own IP only: with hostNetwork that is the node's
		// address, not every interface of the node.
		env = append(env, corev1.EnvVar{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}})
		cmd = []string{"perflab", "netperf", "server", "--bind", "$(POD_IP)", "--port", strconv.Itoa(serverPort)}
		ports = []corev1.ContainerPort{
			{Name: "netperf-tcp", ContainerPort: serverPort, Protocol: corev1.ProtocolTCP},
			{Name: "netperf-udp", ContainerPort: serverPort, Protocol: corev1.ProtocolUDP},
		}
	}
	p := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "netperf-" + s.role, Namespace: ns, Labels: labels(s.role)},
		Spec: corev1.PodSpec{
			HostNetwork:                   s.hostNetwork,
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr(int64(1)),
			Containers: []corev1.Container{{
				Name:            "netperf",
				Image:           image,
				ImagePullPolicy: corev1.PullIfNotPresent,
				Command:         cmd,
				Env:             env,
				Ports:           ports,
			}},
		},
	}
	if s.hostNetwork {
		p.Spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	}
	if s.place != anywhere {
		p.Spec.Affinity = affinity(s.place, s.placeBy)
	}
	return p
}

// service is the ClusterIP Service in front of the pod-network server.
func service(ns string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "netperf-server", Namespace: ns, Labels: labels("service")},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{labelApp: appName, labelRole: roleServer},
			Ports: []corev1.ServicePort{
				{Name: "netperf-tcp", Port: serverPort, TargetPort: intstr.FromInt32(serverPort), Protocol: corev1.ProtocolTCP},
				{Name: "netperf-udp", Port: serverPort, TargetPort: intstr.FromInt32(serverPort), Protocol: corev1.ProtocolUDP},
			},
		},
	}
}

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{labelManagedBy: "perflab", labelApp: appName}},
	}
}

func ptr[T any](v T) *T { return &v }

// scenario is one client→target measurement.
type scenario struct {
	clientRole string
	target     target
	scenario   string // pod-to-pod, pod-to-service, host-to-host
	node       string // same-node, other-node
}

// target is what a scenario connects to: a pod's IP or the Service's ClusterIP.
type target struct {
	podRole string // "" means the Service
}

// plan lists the pods and scenarios the options ask for; notes explain what
// was left out (one schedulable node cannot host other-node tests).
func plan(o Options, nodes int) (pods []podSpec, scs []scenario, notes []string) {
	pods = append(pods, podSpec{role: roleServer, server: true})
	otherOK := nodes >= 2
	if (o.OtherNode || o.HostNet) && !otherOK {
		notes = append(notes, fmt.Sprintf("other-node and host-net scenarios need 2 schedulable nodes; this cluster has %d", nodes))
	}
	if o.SameNode {
		pods = append(pods, podSpec{role: roleClientSame, place: sameNode, placeBy: roleServer})
		scs = append(scs, scenario{clientRole: roleClientSame, target: target{podRole: roleServer}, scenario: "pod-to-pod", node: "same-node"})
	}
	if o.OtherNode && otherOK {
		pods = append(pods, podSpec{role: roleClientOther, place: otherNode, placeBy: roleServer})
		scs = append(scs, scenario{clientRole: roleClientOther, target: target{podRole: roleServer}, scenario: "pod-to-pod", node: "other-node"})
	}
	if o.Service {
		client, node := roleClientSame, "same-node"
		if o.OtherNode && otherOK {
			client, node = roleClientOther, "other-node"
		} else if !o.SameNode {
			pods = append(pods, podSpec{role: roleClientSame, place: sameNode, placeBy: roleServer})
		}
		scs = append(scs, scenario{clientRole: client, target: target{}, scenario: "pod-to-service", node: node})
	}
	if o.HostNet && otherOK {
		pods = append(pods,
			podSpec{role: roleHostServer, server: true, hostNetwork: true},
			podSpec{role: roleHostClient, hostNetwork: true, place: otherNode, placeBy: roleHostServer})
		scs = append(scs, scenario{clientRole: roleHostClient, target: target{podRole: roleHostServer}, scenario: "host-to-host", node: "other-node"})
	}
	return pods, scs, notes
}
