package incluster

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/perflab/perflab/internal/golden"
	"github.com/perflab/perflab/netperf"
)

func roles(pods []podSpec) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.role)
	}
	return out
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name      string
		o         Options
		nodes     int
		pods      []string
		scenarios []string // scenario/node/client
		note      bool
	}{
		{"default two nodes", Options{SameNode: true, OtherNode: true}, 3,
			[]string{roleServer, roleClientSame, roleClientOther},
			[]string{"pod-to-pod/same-node/" + roleClientSame, "pod-to-pod/other-node/" + roleClientOther}, false},
		{"one node drops other-node", Options{SameNode: true, OtherNode: true, HostNet: true}, 1,
			[]string{roleServer, roleClientSame},
			[]string{"pod-to-pod/same-node/" + roleClientSame}, true},
		{"service from the other node", Options{OtherNode: true, Service: true}, 2,
			[]string{roleServer, roleClientOther},
			[]string{"pod-to-pod/other-node/" + roleClientOther, "pod-to-service/other-node/" + roleClientOther}, false},
		{"service alone adds a same-node client", Options{Service: true}, 1,
			[]string{roleServer, roleClientSame},
			[]string{"pod-to-service/same-node/" + roleClientSame}, false},
		{"host network", Options{HostNet: true}, 2,
			[]string{roleServer, roleHostServer, roleHostClient},
			[]string{"host-to-host/other-node/" + roleHostClient}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pods, scs, notes := plan(tt.o, tt.nodes)
			if got := roles(pods); !slices.Equal(got, tt.pods) {
				t.Errorf("pods %v, want %v", got, tt.pods)
			}
			var got []string
			for _, s := range scs {
				got = append(got, s.scenario+"/"+s.node+"/"+s.clientRole)
			}
			if !slices.Equal(got, tt.scenarios) {
				t.Errorf("scenarios %v, want %v", got, tt.scenarios)
			}
			if (len(notes) > 0) != tt.note {
				t.Errorf("notes %v, want note %v", notes, tt.note)
			}
		})
	}
}

func TestPodPlacement(t *testing.T) {
	same := pod("ns", "img", podSpec{role: roleClientSame, place: sameNode, placeBy: roleServer})
	if same.Spec.Affinity == nil || same.Spec.Affinity.PodAffinity == nil || same.Spec.Affinity.PodAntiAffinity != nil {
		t.Fatalf("same-node client affinity %+v", same.Spec.Affinity)
	}
	term := same.Spec.Affinity.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0]
	if term.TopologyKey != "kubernetes.io/hostname" || term.LabelSelector.MatchLabels[labelRole] != roleServer {
		t.Errorf("same-node term %+v", term)
	}
	other := pod("ns", "img", podSpec{role: roleClientOther, place: otherNode, placeBy: roleServer})
	if other.Spec.Affinity == nil || other.Spec.Affinity.PodAntiAffinity == nil || other.Spec.Affinity.PodAffinity != nil {
		t.Fatalf("other-node client affinity %+v", other.Spec.Affinity)
	}
	srv := pod("ns", "img", podSpec{role: roleServer, server: true})
	if srv.Spec.Affinity != nil || !slices.Contains(srv.Spec.Containers[0].Command, "$(POD_IP)") || srv.Spec.Containers[0].Env[1].ValueFrom.FieldRef.FieldPath != "status.podIP" || len(srv.Spec.Containers[0].Ports) != 2 {
		t.Errorf("server pod %+v", srv.Spec)
	}
	host := pod("ns", "img", podSpec{role: roleHostServer, server: true, hostNetwork: true})
	if !host.Spec.HostNetwork || host.Spec.DNSPolicy != corev1.DNSClusterFirstWithHostNet {
		t.Errorf("host server pod hostNetwork %v dns %v", host.Spec.HostNetwork, host.Spec.DNSPolicy)
	}
	svc := service("ns")
	if svc.Spec.Type != corev1.ServiceTypeClusterIP || svc.Spec.Selector[labelRole] != roleServer || len(svc.Spec.Ports) != 2 {
		t.Errorf("service %+v", svc.Spec)
	}
}

// The rendered manifests are kept as a golden file for review.
func TestManifestsGolden(t *testing.T) {
	pods, _, _ := plan(Options{SameNode: true, OtherNode: true, HostNet: true, Service: true}, 2)
	var b bytes.Buffer
	for _, obj := range []any{namespace("perflab-netperf-test"), secret("perflab-netperf-test", "TOKEN"), service("perflab-netperf-test")} {
		writeYAML(t, &b, obj)
	}
	for _, p := range pods {
		writeYAML(t, &b, pod("perflab-netperf-test", "registry.example/perflab:dev", p))
	}
	golden.Check(t, filepath.Join("testdata", "manifests.golden.yaml"), b.Bytes())
}

func writeYAML(t *testing.T, b *bytes.Buffer, obj any) {
	t.Helper()
	y, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("---\n")
	b.Write(y)
}

func TestSimulated(t *testing.T) {
	kwok := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "kwok-1", Annotations: map[string]string{kwokNodeAnnotation: "fake"}}}
	real := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker-1"}}
	tainted := corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}}}
	tests := []struct {
		name  string
		nodes []corev1.Node
		sim   bool
		sched int
	}{
		{"embedded", []corev1.Node{kwok, kwok}, true, 2},
		{"real", []corev1.Node{real, tainted}, false, 1},
		{"mixed", []corev1.Node{kwok, real}, false, 2},
		{"empty", nil, false, 0},
	}
	for _, tt := range tests {
		if got := simulated(tt.nodes); got != tt.sim {
			t.Errorf("%s: simulated = %v, want %v", tt.name, got, tt.sim)
		}
		if got := schedulable(tt.nodes); got != tt.sched {
			t.Errorf("%s: schedulable = %d, want %d", tt.name, got, tt.sched)
		}
	}
}

func TestRunArgs(t *testing.T) {
	o := Options{Tests: []netperf.Test{netperf.TCPStream, netperf.TCPRR}, MSS: []int{1460, 8960}, Samples: 3,
		Params: netperf.Params{Duration: 5 * time.Second, Streams: 4, Bidir: true, BitsPerSecond: -1}}
	// An RFC 5737 documentation address: only formatted, never dialled.
	got := strings.Join(runArgs(o, "192.0.2.7:5201"), " ")
	want := "perflab netperf run --server 192.0.2.7:5201 --output json --duration 5s --streams 4 --samples 3 --req-size 1 --resp-size 1 --test TCP_STREAM,TCP_RR --mss 1460,8960 --bidir --bitrate unlimited"
	if got != want {
		t.Errorf("runArgs =\n%s\nwant\n%s", got, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no image", Options{SameNode: true, Params: netperf.Params{Duration: time.Second}}, "--image"},
		{"no scenario", Options{Image: "x", Params: netperf.Params{Duration: time.Second}}, "no scenario"},
		{"bad mss", Options{Image: "x", SameNode: true, MSS: []int{40}, Params: netperf.Params{Duration: time.Second}}, "--mss 40"},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		if err == nil || !errors.Is(err, netperf.ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want bad input %q", tt.name, err, tt.want)
		}
	}
}

// Against the embedded cluster the command stops with a clear message and
// creates nothing.
func TestRefusesEmbeddedCluster(t *testing.T) {
	ctx := context.Background()
	// A plain environment, not marked embedded: the nodes themselves say
	// they are simulated.
	env := clusterEnv(t)
	_, _, err := Run(ctx, env, Options{Image: "registry.example/perflab:dev",
		SameNode: true, OtherNode: true, Params: netperf.Params{Duration: time.Second}})
	if !errors.Is(err, ErrSimulated) {
		t.Fatalf("err = %v, want ErrSimulated", err)
	}
	if !strings.Contains(err.Error(), "carry no traffic") {
		t.Errorf("message %q does not say why", err)
	}
	cs, err := kubernetes.NewForConfig(embedded.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: labelManagedBy + "=perflab"})
	if err != nil {
		t.Fatal(err)
	}
	if len(nss.Items) != 0 {
		t.Errorf("namespaces created: %v", nss.Items)
	}
}
