package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/perflab/perflab/tap"
)

// clientFor builds a client from a kubeconfig file, as kubectl would.
func clientFor(t testing.TB, kubeconfig, userAgent string) *kubernetes.Clientset {
	return clientWith(t, kubeconfig, userAgent, "")
}

// clientWith is clientFor with a content type (protobuf or JSON).
func clientWith(t testing.TB, kubeconfig, userAgent, contentType string) *kubernetes.Clientset {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.UserAgent = userAgent
	cfg.ContentType = contentType
	cfg.QPS, cfg.Burst = -1, 0
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientThroughTap drives get, server-side apply, list, delete and a
// watch cut after three events through the written kubeconfig and checks
// each record, with JSON and with protobuf (whose watch stream is framed
// differently).
func TestClientThroughTap(t *testing.T) {
	needCluster(t)
	for _, ct := range []string{"application/json", "application/vnd.kubernetes.protobuf"} {
		t.Run(ct, func(t *testing.T) { testClientThroughTap(t, ct) })
	}
}

func testClientThroughTap(t *testing.T, contentType string) {
	ctx := context.Background()
	r := startTap(t)
	ua := "tap-test/" + t.Name()
	c := clientWith(t, r.kubeconfig, ua, contentType)
	ns := "default"
	if fi, err := os.Stat(r.kubeconfig); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Fatalf("kubeconfig %s has mode %v; want 0600", r.kubeconfig, fi.Mode())
	}

	if _, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := c.CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{LabelSelector: "tap-test=watch"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		body, _ := json.Marshal(map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": fmt.Sprintf("tap-%d", i), "labels": map[string]string{"tap-test": "watch"}},
			"data":     map[string]string{"k": "v"},
		})
		if _, err := c.CoreV1().ConfigMaps(ns).Patch(ctx, fmt.Sprintf("tap-%d", i), types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: "tap-test"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		select {
		case ev := <-w.ResultChan():
			if ev.Type != watch.Added {
				t.Fatalf("watch event %d: %s", i, ev.Type)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("watch: no event in 30s")
		}
	}
	w.Stop()
	if _, err := c.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: "tap-test=watch"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := c.CoreV1().ConfigMaps(ns).Delete(ctx, fmt.Sprintf("tap-%d", i), metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CoreV1().ConfigMaps(ns).Get(ctx, "tap-0", metav1.GetOptions{})
	if err == nil {
		t.Fatal("get after delete: no error")
	}

	var got []tap.Record
	for _, rec := range r.stop(t) {
		if rec.UserAgent == ua {
			got = append(got, rec)
		}
	}
	if _, err := os.Stat(r.kubeconfig); !os.IsNotExist(err) {
		t.Errorf("kubeconfig left behind after the tap stopped: %v", err)
	}
	type call struct {
		verb, resource, ns, name string
		status                   int
	}
	want := []call{
		{"get", "namespaces", "default", "default", 200},
		{"patch", "configmaps", ns, "tap-0", 201},
		{"patch", "configmaps", ns, "tap-1", 201},
		{"patch", "configmaps", ns, "tap-2", 201},
		{"list", "configmaps", ns, "", 200},
		{"delete", "configmaps", ns, "tap-0", 200},
		{"delete", "configmaps", ns, "tap-1", 200},
		{"delete", "configmaps", ns, "tap-2", 200},
		{"get", "configmaps", ns, "tap-0", 404},
	}
	// The watch record is written when the watch ends, after the patches;
	// check it apart from the ordered calls.
	var watchRec *tap.Record
	var calls []call
	for i, rec := range got {
		if rec.Verb == "watch" {
			watchRec = &got[i]
			continue
		}
		calls = append(calls, call{rec.Verb, rec.Resource, rec.Namespace, rec.Name, rec.Status})
		if rec.Source != tap.SourceTap || rec.Version != "v1" || rec.Client == "" {
			t.Errorf("record fields: %+v", rec)
		}
		if rec.ResponseBytes <= 0 || rec.FirstByte <= 0 || rec.LastByte < rec.FirstByte {
			t.Errorf("record sizes and times: %+v", rec)
		}
		if rec.Verb == "patch" && rec.RequestBytes <= 0 {
			t.Errorf("patch without request bytes: %+v", rec)
		}
	}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("calls:\n got %v\nwant %v", calls, want)
	}
	if watchRec == nil {
		t.Fatal("no watch record")
	}
	if watchRec.WatchEvents < 3 || watchRec.Resource != "configmaps" || watchRec.Status != 200 {
		t.Errorf("watch record: %+v (want >= 3 events)", *watchRec)
	}
	if watchRec.LastByte < watchRec.FirstByte {
		t.Errorf("watch duration %s < first byte %s", watchRec.LastByte, watchRec.FirstByte)
	}
}

// TestBurst1000 sends 1,000 concurrent requests through the tap and finds
// a record for each.
func TestBurst1000(t *testing.T) {
	needCluster(t)
	const n = 1000
	r := startTap(t)
	ua := "tap-burst"
	c := clientFor(t, r.kubeconfig, ua)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 100)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.CoreV1().ConfigMaps("default").Get(context.Background(), fmt.Sprintf("burst-%d", i), metav1.GetOptions{})
			if err == nil {
				err = fmt.Errorf("burst-%d exists", i)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	seen := map[string]bool{}
	for _, rec := range r.stop(t) {
		if rec.UserAgent == ua {
			if rec.Status != 404 || rec.Verb != "get" {
				t.Errorf("record %+v: want get 404", rec)
			}
			seen[rec.Name] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct records for %d requests", len(seen), n)
	}
	s := r.Stats.Summary(true)
	if s.Requests < n {
		t.Errorf("stats counted %d requests, want >= %d", s.Requests, n)
	}
}
