package incluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/perflab/perflab/wait"
)

// waitReady against the embedded cluster: kwok runs the pods of a plan and
// gives them IPs; a pod whose status says Failed ends the wait at once; a
// pod that cannot be scheduled times out with the hint.
func TestWaitReady(t *testing.T) {
	ctx := context.Background()
	env := clusterEnv(t)
	cs, dyn := env.Client.Typed, env.Client.Dynamic
	// newNS creates a namespace (not labelled as perflab's) with pods of
	// specs; unschedulable ones select a node that does not exist.
	newNS := func(t *testing.T, unschedulable bool, specs ...podSpec) string {
		t.Helper()
		ns := fmt.Sprintf("wait-ready-%d", time.Now().UnixNano())
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
		for _, s := range specs {
			p := pod(ns, "registry.example/perflab:dev", s)
			if unschedulable {
				p.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": "no-such-node"}
			}
			if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		return ns
	}
	o := Options{Timeout: time.Minute}

	t.Run("running", func(t *testing.T) {
		pods, _, _ := plan(Options{SameNode: true, OtherNode: true}, 2)
		ns := newNS(t, false, pods...)
		ready, err := waitReady(ctx, dyn, cs, ns, len(pods), o)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pods {
			if r := ready["netperf-"+p.role]; r == nil || r.Status.PodIP == "" {
				t.Errorf("%s: %v, want a running pod with an IP", p.role, r)
			}
		}
	})

	server := podSpec{role: roleServer, server: true}
	t.Run("failed", func(t *testing.T) {
		ns := newNS(t, true, server)
		// The scheduler writes the pod's status too: retry on conflict.
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, "netperf-"+roleServer, metav1.GetOptions{})
			if err != nil {
				return err
			}
			p.Status.Phase, p.Status.Message = corev1.PodFailed, "image not found"
			_, err = cs.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = waitReady(ctx, dyn, cs, ns, 1, o)
		if !errors.Is(err, wait.ErrFailed) || !strings.Contains(fmt.Sprint(err), "image not found") || time.Since(start) > 10*time.Second {
			t.Fatalf("err = %v after %v, want wait.ErrFailed with the pod's message at once", err, time.Since(start))
		}
	})

	t.Run("timeout", func(t *testing.T) {
		ns := newNS(t, true, server)
		_, err := waitReady(ctx, dyn, cs, ns, 1, Options{Timeout: 2 * time.Second})
		if !errors.Is(err, wait.ErrTimeout) || !strings.Contains(fmt.Sprint(err), "enough nodes for the placement") {
			t.Fatalf("err = %v, want wait.ErrTimeout with the placement hint", err)
		}
	})
}
