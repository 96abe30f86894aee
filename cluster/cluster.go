package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/util/compatibility"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Cluster is a running embedded control plane.
type Cluster struct {
	opts       Options
	dataDir    string
	tempDir    bool
	pki        pki
	st         state
	server     string
	promConfig string
	started    time.Time
	times      StartupTimes

	etcd        *etcdServer
	apiReady    atomic.Bool // set once /readyz passed: see startupGate
	metricsAddr string      // the in-process metrics.k8s.io server
	cancel      context.CancelFunc
	apiDone     chan error
	logFile     *os.File
	stop        sync.Once
	stopErr     error
}

// Endpoints are where the cluster listens; all on 127.0.0.1.
type Endpoints struct {
	APIServer   string // https, client certificate required
	EtcdClient  string // https, client certificate required
	EtcdMetrics string // http, metrics only
}

// StartupTimes are measured durations of a Start.
type StartupTimes struct {
	APIReady   time.Duration // Start → /readyz answers ok
	NodesReady time.Duration // Start → every requested node Ready
}

// started enforces one cluster per process: the components keep
// process-global state (klog, feature gates, metrics, configz) that cannot
// be registered twice.
var started atomic.Bool

// ErrAlreadyStarted is returned by a second Start in one process.
var ErrAlreadyStarted = errors.New("an embedded cluster was already started in this process (one per process)")

// Start runs etcd, the API server, the controller-manager, the scheduler
// and kwok, creates the hollow nodes, and returns when the API is ready and
// every node is Ready. The cluster runs until Stop, independent of ctx,
// which bounds only the start-up. On error nothing is left running.
func Start(ctx context.Context, o Options) (_ *Cluster, err error) {
	o.setDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if !started.CompareAndSwap(false, true) {
		return nil, ErrAlreadyStarted
	}
	for _, w := range o.unsafeOverrides() {
		slog.Warn("insecure: " + w)
	}
	if o.MemoryLimit > 0 {
		debug.SetMemoryLimit(o.MemoryLimit)
	}
	c := &Cluster{opts: o, started: time.Now()}
	defer func() {
		if err != nil {
			if serr := c.Stop(); serr != nil {
				err = errors.Join(err, serr)
			}
		}
	}()
	if err := c.prepareDataDir(); err != nil {
		return nil, err
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cluster) prepareDataDir() error {
	if c.opts.DataDir == "" {
		dir, err := os.MkdirTemp("", "perflab-cluster-")
		if err != nil {
			return fmt.Errorf("create data dir: %w", err)
		}
		c.dataDir, c.tempDir = dir, true
	} else {
		dir, err := filepath.Abs(c.opts.DataDir)
		if err != nil {
			return fmt.Errorf("--data-dir %s: %w", c.opts.DataDir, err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("--data-dir %s: %w", dir, err)
		}
		if err := secureDataDir(dir); err != nil {
			return err
		}
		probe, err := os.CreateTemp(dir, ".write-test-*")
		if err != nil {
			return fmt.Errorf("--data-dir %s is not writable: %w", dir, err)
		}
		probe.Close()
		os.Remove(probe.Name())
		c.dataDir = dir
	}
	c.pki = pki{dir: filepath.Join(c.dataDir, "pki")}
	prev, err := loadState(c.dataDir)
	if err != nil {
		return err
	}
	if prev != nil {
		c.st = *prev
		for name, port := range map[string]int{"apiserver": prev.Ports.APIServer, "etcd client": prev.Ports.EtcdClient, "etcd peer": prev.Ports.EtcdPeer, "etcd metrics": prev.Ports.EtcdMetrics} {
			if err := checkPortFree(name, port); err != nil {
				return err
			}
		}
	} else {
		p, err := freePorts(4)
		if err != nil {
			return err
		}
		c.st = state{Version: 1, Ports: ports{APIServer: p[0], EtcdClient: p[1], EtcdPeer: p[2], EtcdMetrics: p[3]}}
	}
	fp, err := c.pki.ensure()
	if err != nil {
		return fmt.Errorf("create PKI: %w", err)
	}
	if c.st.CAFingerprint != "" && c.st.CAFingerprint != fp {
		return fmt.Errorf("%w: %s/pki/ca.crt is not the CA recorded in %s", ErrForeignDataDir, c.dataDir, stateFile)
	}
	c.st.CAFingerprint = fp
	c.st.Node = NodeSpec{MaxPods: c.opts.MaxPods, CPU: c.opts.NodeCPU, Memory: c.opts.NodeMemory}
	return c.st.save(c.dataDir)
}

func (c *Cluster) start(ctx context.Context) error {
	logPath := filepath.Join(c.dataDir, "cluster.log")
	f, err := redirectComponentLogs(logPath)
	if err != nil {
		return err
	}
	c.logFile = f
	c.server = "https://127.0.0.1:" + strconv.Itoa(c.st.Ports.APIServer)
	for _, id := range kubeconfigIdentities {
		if err := writeKubeconfig(kubeconfigPath(c.dataDir, id), c.server, c.pki, id); err != nil {
			return err
		}
	}
	if c.promConfig, err = writePrometheusConfig(c.dataDir, c.pki, c.st.Ports); err != nil {
		return err
	}

	usage, err := loadResourceUsage(c.opts.ResourceUsage)
	if err != nil {
		return err
	}
	if err := c.pki.ensureMetricsAPICerts(); err != nil {
		return err
	}
	// Options first, in this order (see newControllerManagerOptions), then
	// the shared feature gates and emulation version are applied once.
	kcm, err := newControllerManagerOptions(controllerManagerArgs(kubeconfigPath(c.dataDir, "kube-controller-manager"), c.pki, c.opts))
	if err != nil {
		return err
	}
	apiArgs := apiServerArgs(c.opts, c.pki, c.st.Ports)
	if err := c.addAuditArgs(apiArgs); err != nil {
		return err
	}
	api, err := newAPIServerOptions(apiArgs)
	if err != nil {
		return err
	}
	schedKubeconfig, schedConfig := kubeconfigPath(c.dataDir, "kube-scheduler"), ""
	if c.opts.schedulerConfigWanted() {
		data, err := c.opts.schedulerConfig(schedKubeconfig)
		if err != nil {
			return err
		}
		if schedConfig, err = writeSchedulerConfig(c.dataDir, data); err != nil {
			return err
		}
	}
	sched, err := newSchedulerOptions(schedulerArgs(schedKubeconfig, schedConfig, c.opts))
	if err != nil {
		return err
	}
	if err := compatibility.DefaultComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("feature gates: %w", err)
	}

	noFsync := c.tempDir
	if c.opts.EtcdUnsafeNoFsync != nil {
		noFsync = *c.opts.EtcdUnsafeNoFsync
	}
	if c.etcd, err = startEtcd(ctx, c.dataDir, c.pki, c.st.Ports, logPath, noFsync); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.apiDone = make(chan error, 1)
	metricsLn, err := listenMetricsAPI()
	if err != nil {
		return err
	}
	go func() { <-runCtx.Done(); metricsLn.Close() }()
	c.metricsAddr = metricsLn.Addr().String()
	if err := runAPIServer(runCtx, api, &c.apiReady, c.apiDone, c.metricsAddr); err != nil {
		return err
	}
	if err := c.waitAPIReady(ctx); err != nil {
		return err
	}
	c.apiReady.Store(true)
	c.times.APIReady = time.Since(c.started)
	if err := c.bootstrap(ctx); err != nil {
		return err
	}
	background := make(chan error, 2)
	go c.logExits(runCtx, background)
	if err := runControllerManager(runCtx, kcm, background); err != nil {
		return err
	}
	if err := runScheduler(runCtx, sched, background); err != nil {
		return err
	}
	provisioner, err := kubernetes.NewForConfig(restConfigFor(c.server, c.pki, "volume-provisioner"))
	if err != nil {
		return err
	}
	if err := startVolumeProvisioner(runCtx, provisioner, filepath.Join(c.dataDir, "volumes")); err != nil {
		return err
	}
	if err := startKwok(runCtx, kubeconfigPath(c.dataDir, "kwok"), c.logFile, c.opts.NodeLeaseDuration, stageOptions{
		readyDelay: c.opts.PodStartupDelay, readyJitter: c.opts.PodStartupJitter, jobDuration: c.opts.JobDuration, podEvents: !c.opts.NoPodEvents}); err != nil {
		return err
	}
	if err := c.ensureNodes(ctx); err != nil {
		return err
	}
	c.times.NodesReady = time.Since(c.started)
	if err := startMetricsAPI(ctx, runCtx, metricsLn, c.RESTConfig(), c.pki, usage); err != nil {
		return err
	}
	return nil
}

// StartupTimes returns how long the API and the nodes took to be ready.
func (c *Cluster) StartupTimes() StartupTimes { return c.times }

// logExits records a component that stops before the cluster does.
func (c *Cluster) logExits(ctx context.Context, errc <-chan error) {
	for {
		select {
		case err := <-errc:
			if ctx.Err() == nil {
				slog.Error("embedded control plane component stopped", "err", err, "log", filepath.Join(c.dataDir, "cluster.log"))
			}
		case <-ctx.Done():
			return
		}
	}
}

// bootstrap adds perflab's RBAC policy and default StorageClass with the
// super-admin identity, before the components that need them start.
func (c *Cluster) bootstrap(ctx context.Context) error {
	super, err := kubernetes.NewForConfig(restConfigFor(c.server, c.pki, "super-admin"))
	if err != nil {
		return err
	}
	admin, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	if err := ensureRBAC(ctx, super, admin); err != nil {
		return err
	}
	return ensureStorageClass(ctx, super)
}

func (c *Cluster) waitAPIReady(ctx context.Context) error {
	client, err := kubernetes.NewForConfig(restConfigFor(c.server, c.pki, "super-admin"))
	if err != nil {
		return err
	}
	var last error
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		select {
		case err := <-c.apiDone:
			return false, fmt.Errorf("kube-apiserver exited: %w", err)
		default:
		}
		_, last = client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("API server not ready (last: %v; see %s): %w", last, filepath.Join(c.dataDir, "cluster.log"), err)
	}
	return nil
}

// ensureNodes creates nodes up to Options.Nodes and waits until all are
// Ready, and until the default namespace's service account exists (pods
// cannot be created before it).
func (c *Cluster) ensureNodes(ctx context.Context) error {
	client, err := kubernetes.NewForConfig(protobuf(c.RESTConfig()))
	if err != nil {
		return err
	}
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: HollowNodeLabel + "=true"})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	if n, err := updateNodeCapacity(ctx, client, c.st.Node); err != nil {
		return err
	} else if n > 0 {
		slog.Info("updated the capacity of existing nodes", "nodes", n, "maxPods", c.st.Node.MaxPods, "cpu", c.st.Node.CPU, "memory", c.st.Node.Memory)
	}
	if missing := c.opts.Nodes - len(list.Items); missing > 0 {
		if _, err := CreateNodes(ctx, client, missing, c.st.Node); err != nil {
			return err
		}
	}
	return WaitNodesReady(ctx, client, c.opts.Nodes, NodesReadyTimeout(c.opts.Nodes))
}

// NodesReadyTimeout is how long n new nodes may take to be Ready: five
// minutes, and one more per thousand nodes.
func NodesReadyTimeout(n int) time.Duration {
	return 5*time.Minute + time.Duration(n/1000)*time.Minute
}

// WaitNodesReady waits until at least n hollow nodes are Ready and the
// default service account exists. It lists from the API server's watch
// cache, less often the more nodes there are (a list of 5,000 nodes is
// megabytes).
func WaitNodesReady(ctx context.Context, client kubernetes.Interface, n int, timeout time.Duration) error {
	ready := 0
	interval := min(5*time.Second, max(200*time.Millisecond, time.Duration(n)*time.Millisecond))
	err := wait.PollUntilContextTimeout(ctx, interval, timeout, true, func(ctx context.Context) (bool, error) {
		list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: HollowNodeLabel + "=true", ResourceVersion: "0"})
		if err != nil {
			return false, nil
		}
		ready = 0
		for _, nd := range list.Items {
			if nodeReady(&nd) {
				ready++
			}
		}
		if ready < n {
			return false, nil
		}
		_, err = client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%d of %d nodes Ready: %w", ready, n, err)
	}
	return nil
}

func nodeReady(n *corev1.Node) bool {
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Kubeconfig is the path of the admin kubeconfig (mode 0600): cluster-admin
// through RBAC, subject to API Priority and Fairness.
func (c *Cluster) Kubeconfig() string { return kubeconfigPath(c.dataDir, "admin") }

// RESTConfig returns a copy of the admin client configuration.
func (c *Cluster) RESTConfig() *rest.Config { return restConfigFor(c.server, c.pki, "admin") }

// SuperAdminKubeconfig is the path of the break-glass kubeconfig (mode
// 0600), in system:masters: exempt from RBAC and API Priority and Fairness.
func (c *Cluster) SuperAdminKubeconfig() string { return kubeconfigPath(c.dataDir, "super-admin") }

// DataDir is the cluster's data directory.
func (c *Cluster) DataDir() string { return c.dataDir }

// PrometheusConfig is the path of the Prometheus scrape configuration.
func (c *Cluster) PrometheusConfig() string { return c.promConfig }

// Endpoints returns the listening addresses.
func (c *Cluster) Endpoints() Endpoints {
	return Endpoints{
		APIServer:   c.server,
		EtcdClient:  "https://127.0.0.1:" + strconv.Itoa(c.st.Ports.EtcdClient),
		EtcdMetrics: "http://127.0.0.1:" + strconv.Itoa(c.st.Ports.EtcdMetrics) + "/metrics",
	}
}

// NodeSpec is the shape of this cluster's hollow nodes.
func (c *Cluster) NodeSpec() NodeSpec { return c.st.Node }

// AddNodes creates n more hollow nodes and waits until they are Ready.
func (c *Cluster) AddNodes(ctx context.Context, n int) error {
	client, err := kubernetes.NewForConfig(protobuf(c.RESTConfig()))
	if err != nil {
		return err
	}
	before, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: HollowNodeLabel + "=true"})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	if _, err := CreateNodes(ctx, client, n, c.st.Node); err != nil {
		return err
	}
	return WaitNodesReady(ctx, client, len(before.Items)+n, NodesReadyTimeout(n))
}

// Stop shuts the components down, closes etcd, and removes a temporary
// data directory. It is safe to call more than once.
func (c *Cluster) Stop() error {
	c.stop.Do(func() {
		if c.cancel != nil {
			c.cancel()
			select {
			case err := <-c.apiDone:
				if err != nil && !errors.Is(err, context.Canceled) {
					slog.Warn("embedded API server stopped with an error", "err", err)
				}
			case <-time.After(30 * time.Second):
				slog.Warn("embedded API server did not stop within 30s")
			}
		}
		if c.etcd != nil {
			c.etcd.Close()
		}
		if c.logFile != nil {
			c.logFile.Close()
		}
		if c.tempDir {
			c.stopErr = os.RemoveAll(c.dataDir)
		}
	})
	return c.stopErr
}
