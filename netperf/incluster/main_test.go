package incluster

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/runenv"
)

// embedded is the package's one embedded cluster: its kwok nodes are what
// perflab netperf cluster must refuse.
var embedded *cluster.Cluster

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run()) // the test that needs the cluster skips
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 2})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start embedded cluster:", err)
		os.Exit(1)
	}
	embedded = c
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stop embedded cluster:", err)
		code = 1
	}
	os.Exit(code)
}

// clusterEnv is a plain run environment (not marked embedded) for the
// embedded cluster; the test skips under -short.
func clusterEnv(t *testing.T) *runenv.Env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the embedded cluster (-short)")
	}
	env, err := runenv.New(embedded.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return env
}
