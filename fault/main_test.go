package fault

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// perflab is the binary under test, built once for the package.
var perflab string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run()) // every test skips
	}
	dir, err := os.MkdirTemp("", "perflab-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	perflab = filepath.Join(dir, "perflab")
	build := exec.Command("go", "build", "-o", perflab, "../cmd/perflab")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build perflab:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault suite: runs perflab processes against its own clusters")
	}
}

// syncBuffer is a process's combined output, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a perflab process.
type proc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(perflab, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Dir = t.TempDir() // init writes kube-burner-<uuid>.log in its working directory
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill() // it may have exited meanwhile; done says when
			<-p.done
		}
	})
	return p
}

// wait returns the exit code once the process ends, failing after timeout.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("%v still running after %s; output:\n%s", p.cmd.Args, timeout, p.out)
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// cluster is a `perflab cluster up` process on a data directory.
type cluster struct {
	dir  string
	args []string
	up   *proc
}

// startCluster runs `perflab cluster up` on dir and waits until it is ready.
func startCluster(t *testing.T, dir string, args ...string) *cluster {
	t.Helper()
	c := &cluster{dir: dir, args: append([]string{"cluster", "up", "--data-dir", dir}, args...)}
	c.start(t)
	t.Cleanup(func() { c.stop(t) })
	return c
}

func (c *cluster) start(t *testing.T) {
	t.Helper()
	c.up = start(t, c.args...)
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(c.up.out.String(), "press Ctrl-C to stop") {
		select {
		case <-c.up.done:
			t.Fatalf("perflab cluster up exited (%v):\n%s", c.up.err, c.up.out)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("perflab cluster up not ready after 3m:\n%s", c.up.out)
		}
	}
}

// kill ends the cluster process with SIGKILL: etcd, the API server and
// every component die at once, as in a crash.
func (c *cluster) kill(t *testing.T) {
	t.Helper()
	c.up.signal(t, syscall.SIGKILL)
	<-c.up.done
}

func (c *cluster) stop(t *testing.T) {
	select {
	case <-c.up.done:
		return
	default:
	}
	if err := c.up.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGINT to perflab cluster up: %v", err)
	}
	select {
	case <-c.up.done:
	case <-time.After(time.Minute):
		t.Errorf("perflab cluster up did not stop within a minute of SIGINT")
	}
}

func (c *cluster) kubeconfig() string { return filepath.Join(c.dir, "admin.kubeconfig") }

// client is a super-admin client: the test's own reads are exempt from API
// Priority and Fairness, so they neither meet nor add to the load's 429s.
func (c *cluster) client(t *testing.T) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(c.dir, "super-admin.kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 10 * time.Second
	return kubernetes.NewForConfigOrDie(cfg)
}

// waitFor polls cond every 100ms (errors count as false: the API server may
// be down) until it holds, failing after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		last = err
		return ok, nil
	})
	if err != nil {
		t.Fatalf("%s: not within %s (last error: %v)", what, timeout, last)
	}
}

// writeFiles writes name → content into a new directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// configMapNames lists the names of the ConfigMaps matching sel in ns.
func configMapNames(ctx context.Context, c kubernetes.Interface, ns, sel string) ([]string, error) {
	l, err := c.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(l.Items))
	for i, cm := range l.Items {
		names[i] = cm.Name
	}
	return names, nil
}

// namespacesLeft waits until no namespace matches sel (deletion takes the
// namespace controller a moment) and fails naming those that stay.
func namespacesLeft(t *testing.T, c kubernetes.Interface, sel string) {
	t.Helper()
	var left []string
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		l, err := c.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			return false, nil
		}
		left = left[:0]
		for _, ns := range l.Items {
			if ns.DeletionTimestamp == nil {
				left = append(left, ns.Name) // not even being deleted
			}
		}
		return len(l.Items) == 0, nil
	})
	if err != nil {
		t.Errorf("namespaces matching %s left a minute after the run (not being deleted: %v)", sel, left)
	}
}

const configMapTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-{{ .Iteration }}-{{ .Replica }}
data:
  job: {{ .JobName }}
`
