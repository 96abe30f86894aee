package integration

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/tap"
)

// TestAuditLog checks that the cluster's audit log converts into records:
// a tapped request appears in both with the same verb and call, and the
// control plane's own clients (scheduler, controller-manager) appear too.
func TestAuditLog(t *testing.T) {
	needCluster(t)
	r := startTap(t)
	ua := "tap-audit-test"
	c := clientFor(t, r.kubeconfig, ua)
	if _, err := c.CoreV1().ConfigMaps("kube-system").List(context.Background(), metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	tapped := r.stop(t)

	var audited []tap.Record
	users := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(audited) == 0 && time.Now().Before(deadline) {
		audited, users = nil, map[string]bool{}
		err := tap.ReadFile(testCluster.AuditLog(), func(rec tap.Record) error {
			users[rec.User] = true
			if rec.UserAgent == ua {
				audited = append(audited, rec)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(audited) == 0 {
			time.Sleep(200 * time.Millisecond) // the API server writes the event after answering
		}
	}
	var fromTap []tap.Record
	for _, rec := range tapped {
		if rec.UserAgent == ua {
			fromTap = append(fromTap, rec)
		}
	}
	if len(audited) != 1 || len(fromTap) != 1 {
		t.Fatalf("audit has %d records, tap %d; want 1 each", len(audited), len(fromTap))
	}
	a, p := audited[0], fromTap[0]
	if a.Source != tap.SourceAudit || a.Verb != "list" || a.Call() != p.Call() || a.Namespace != "kube-system" || a.Status != 200 {
		t.Errorf("audit record %+v does not match tap record %+v", a, p)
	}
	if a.LastByte <= 0 || a.LastByte > p.LastByte {
		t.Errorf("audit latency %s, tap %s: want 0 < audit <= tap", a.LastByte, p.LastByte)
	}
	for _, u := range []string{"system:kube-scheduler", "system:kube-controller-manager"} {
		if !users[u] {
			t.Errorf("no request by %s in the audit log; users: %v", u, users)
		}
	}
}
