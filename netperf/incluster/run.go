package incluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"

	"github.com/perflab/perflab/netperf"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/wait"
)

// ErrSimulated is returned for clusters whose nodes are kwok's simulated ones.
var ErrSimulated = errors.New("the target cluster's nodes are simulated (kwok, e.g. perflab's embedded cluster): its pods carry no traffic, so there is nothing to measure; point --kubeconfig at a real cluster, or use `perflab netperf lab` for a local namespace lab")

// kwokNodeAnnotation marks nodes managed by kwok.
const kwokNodeAnnotation = "kwok.x-k8s.io/node"

// simulated reports whether every node is a kwok node.
func simulated(nodes []corev1.Node) bool {
	if len(nodes) == 0 {
		return false
	}
	for _, n := range nodes {
		if _, ok := n.Annotations[kwokNodeAnnotation]; !ok {
			return false
		}
	}
	return true
}

// schedulable counts nodes that accept ordinary pods.
func schedulable(nodes []corev1.Node) int {
	c := 0
	for _, n := range nodes {
		if n.Spec.Unschedulable {
			continue
		}
		tainted := false
		for _, t := range n.Spec.Taints {
			if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
				tainted = true
			}
		}
		if !tainted {
			c++
		}
	}
	return c
}

// RunAndReport deploys, measures, deletes and writes the results.
func RunAndReport(ctx context.Context, env *runenv.Env, o Options, ro netperf.ReportOptions, w io.Writer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := ro.Validate(); err != nil {
		return err
	}
	rs, notes, err := Run(ctx, env, o)
	for _, n := range notes {
		slog.Warn(n)
	}
	if len(rs) > 0 {
		err = errors.Join(err, ro.Emit(w, rs, nil))
	}
	return err
}

// Run deploys the pods on env's cluster, runs the tests from each client and
// deletes the namespace.
func Run(ctx context.Context, env *runenv.Env, o Options) (_ []netperf.Result, notes []string, err error) {
	if err := o.Validate(); err != nil {
		return nil, nil, err
	}
	if env.Embedded != nil {
		return nil, nil, ErrSimulated
	}
	cfg, cs := env.Config, env.Client.Typed
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("list nodes: %w", err)
	}
	if simulated(nodes.Items) {
		return nil, nil, ErrSimulated
	}
	pods, scs, notes := plan(o, schedulable(nodes.Items))
	if len(scs) == 0 {
		return nil, notes, errors.New("no scenario can run on this cluster")
	}
	ns := fmt.Sprintf("perflab-netperf-%06x", rand.Uint32()&0xffffff)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, namespace(ns), metav1.CreateOptions{}); err != nil {
		return nil, notes, fmt.Errorf("create namespace %s: %w", ns, err)
	}
	slog.Info("namespace created", "namespace", ns)
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		bg := metav1.DeletePropagationForeground
		if derr := cs.CoreV1().Namespaces().Delete(dctx, ns, metav1.DeleteOptions{PropagationPolicy: &bg}); derr != nil {
			err = errors.Join(err, fmt.Errorf("delete namespace %s: %w", ns, derr))
		} else {
			slog.Info("namespace deleted", "namespace", ns)
		}
	}()
	token, err := netperf.NewToken()
	if err != nil {
		return nil, notes, err
	}
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, secret(ns, token), metav1.CreateOptions{}); err != nil {
		return nil, notes, fmt.Errorf("create secret: %w", err)
	}
	if o.Service {
		if _, err := cs.CoreV1().Services(ns).Create(ctx, service(ns), metav1.CreateOptions{}); err != nil {
			return nil, notes, fmt.Errorf("create service: %w", err)
		}
	}
	for _, p := range pods {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod(ns, o.Image, p), metav1.CreateOptions{}); err != nil {
			return nil, notes, fmt.Errorf("create pod %s: %w", p.role, err)
		}
	}
	ready, err := waitReady(ctx, env.Client.Dynamic, cs, ns, len(pods), o)
	if err != nil {
		return nil, notes, err
	}
	var out []netperf.Result
	for _, sc := range scs {
		addr, err := targetAddr(ctx, cs, ns, sc.target, ready)
		if err != nil {
			return out, notes, err
		}
		client := ready["netperf-"+sc.clientRole]
		slog.Info("running", "scenario", sc.scenario, "node", sc.node, "client", client.Name, "target", addr)
		rs, err := execRun(ctx, cfg, cs, client, runArgs(o, addr))
		if err != nil {
			return out, notes, fmt.Errorf("%s %s: %w", sc.scenario, sc.node, err)
		}
		for i := range rs {
			rs[i].Scenario, rs[i].Node = sc.scenario, sc.node
		}
		out = append(out, rs...)
	}
	return out, notes, nil
}

// waitReady waits (package wait) until every pod of ns runs with an IP,
// logging progress; a pod that fails ends the wait with its message.
func waitReady(ctx context.Context, dyn dynamic.Interface, cs kubernetes.Interface, ns string, want int, o Options) (map[string]*corev1.Pod, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	last := time.Now()
	logProgress := func(s wait.Status) {
		if time.Since(last) > 10*time.Second {
			slog.Info("waiting for pods", "ready", s.Ready, "total", want)
			last = time.Now()
		}
	}
	t := wait.Target{GVR: corev1.SchemeGroupVersion.WithResource("pods"), Namespace: ns,
		Ready: podRunning, Failed: podFailed, Expected: want}
	if _, err := wait.Until(ctx, dyn, t, logProgress); err != nil {
		if errors.Is(err, wait.ErrFailed) {
			return nil, err
		}
		return nil, fmt.Errorf("pods not ready after %s (image pullable? enough nodes for the placement?): %w", o.Timeout, err)
	}
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	ready := map[string]*corev1.Pod{}
	for i := range list.Items {
		if p := &list.Items[i]; p.Status.Phase == corev1.PodRunning && p.Status.PodIP != "" {
			ready[p.Name] = p
		}
	}
	if len(ready) != want {
		return nil, fmt.Errorf("%d of %d pods running", len(ready), want)
	}
	return ready, nil
}

// podRunning is netperf's readiness: the pod runs and has its IP (the
// server answers once it listens; the client retries its connection).
func podRunning(u *unstructured.Unstructured) bool {
	phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
	ip, _, _ := unstructured.NestedString(u.Object, "status", "podIP")
	return phase == string(corev1.PodRunning) && ip != ""
}

// podFailed is why a pod can no longer run: its message once it failed.
func podFailed(u *unstructured.Unstructured) string {
	if phase, _, _ := unstructured.NestedString(u.Object, "status", "phase"); phase != string(corev1.PodFailed) {
		return ""
	}
	msg, _, _ := unstructured.NestedString(u.Object, "status", "message")
	return "pod failed: " + msg
}

func targetAddr(ctx context.Context, cs kubernetes.Interface, ns string, t target, ready map[string]*corev1.Pod) (string, error) {
	if t.podRole == "" {
		svc, err := cs.CoreV1().Services(ns).Get(ctx, "netperf-server", metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		return net.JoinHostPort(svc.Spec.ClusterIP, strconv.Itoa(serverPort)), nil
	}
	p, ok := ready["netperf-"+t.podRole]
	if !ok {
		return "", fmt.Errorf("server pod %s not ready", t.podRole)
	}
	return net.JoinHostPort(p.Status.PodIP, strconv.Itoa(serverPort)), nil
}

// execRun runs args in the client pod and parses its JSON results.
func execRun(ctx context.Context, cfg *rest.Config, cs kubernetes.Interface, p *corev1.Pod, args []string) ([]netperf.Result, error) {
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(p.Namespace).Name(p.Name).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: "netperf", Command: args, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	ex, err := remotecommand.NewSPDYExecutor(cfg, "POST", req.URL())
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	if err := ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr}); err != nil {
		return nil, fmt.Errorf("exec in %s: %w: %s", p.Name, err, lastLine(stderr.String()))
	}
	var doc struct {
		Results []netperf.Result `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("parse results from %s: %w", p.Name, err)
	}
	return doc.Results, nil
}

func lastLine(s string) string {
	s = string(bytes.TrimSpace([]byte(s)))
	if i := bytes.LastIndexByte([]byte(s), '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
