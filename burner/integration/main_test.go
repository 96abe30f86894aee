package integration

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/perflab/perflab/cluster"
	"github.com/perflab/perflab/runenv"
	"github.com/perflab/perflab/target"
)

var (
	testCluster *cluster.Cluster
	testEnv     *runenv.Env
	client      kubernetes.Interface
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("skipping: every test here needs the embedded cluster (-short)")
		os.Exit(0)
	}
	if os.Getenv("PERFLAB_TEST_VERBOSE") == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 1, MaxPods: 110, PodStartupDelay: time.Second, PodStartupJitter: 200 * time.Millisecond})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start embedded cluster:", err)
		os.Exit(1)
	}
	testCluster = c
	if testEnv, err = target.FromCluster(c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client, err = kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stop embedded cluster:", err)
		code = 1
	}
	os.Exit(code)
}
