package cluster

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"
)

// testCluster is the one cluster of this test package (one per process),
// started by TestMain unless the tests run with -short. Tests reach it
// through sharedCluster.
var testCluster *Cluster

// sharedCluster returns the package's cluster. Under -short there is none
// and the test is skipped; the package's pure-logic tests still run.
func sharedCluster(t testing.TB) *Cluster {
	t.Helper()
	skipShort(t)
	return testCluster
}

// skipShort skips a test that starts or needs an embedded cluster under
// -short.
func skipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the embedded cluster (-short)")
	}
}

func TestMain(m *testing.M) {
	if child := os.Getenv(childEnv); child != "" {
		os.Exit(runChild(child))
	}
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	c, err := Start(ctx, Options{Nodes: 3, PodStartupDelay: 100 * time.Millisecond, PodStartupJitter: 200 * time.Millisecond})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start embedded cluster:", err)
		os.Exit(1)
	}
	testCluster = c
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stop embedded cluster:", err)
		code = 1
	}
	if _, err := os.Stat(c.DataDir()); !os.IsNotExist(err) {
		fmt.Fprintln(os.Stderr, "temporary data dir left behind:", c.DataDir())
		code = 1
	}
	os.Exit(code)
}
