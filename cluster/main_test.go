package cluster

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"
)

// testCluster is the one cluster of this test package (one per process).
var testCluster *Cluster

func TestMain(m *testing.M) {
	if child := os.Getenv(childEnv); child != "" {
		os.Exit(runChild(child))
	}
	flag.Parse()
	if testing.Short() {
		fmt.Println("skipping: every test here needs the embedded cluster (-short)")
		os.Exit(0)
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
