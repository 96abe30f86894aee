package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

// stateFile records a data directory's identity and endpoints, so a restart
// on the same directory keeps its ports (and kubeconfigs stay valid) and a
// directory holding another cluster's PKI is refused.
const stateFile = "perflab-cluster.json"

type state struct {
	Version       int      `json:"version"`
	CAFingerprint string   `json:"caFingerprint"`
	Ports         ports    `json:"ports"`
	Node          NodeSpec `json:"node"`
}

type ports struct {
	APIServer   int `json:"apiserver"`
	EtcdClient  int `json:"etcdClient"`
	EtcdPeer    int `json:"etcdPeer"`
	EtcdMetrics int `json:"etcdMetrics"`
}

// ErrForeignDataDir means the data directory holds another cluster's files.
var ErrForeignDataDir = errors.New("data directory holds another cluster")

func loadState(dir string) (*state, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		if fileExists(filepath.Join(dir, "pki", "ca.crt")) || fileExists(filepath.Join(dir, "etcd")) {
			return nil, fmt.Errorf("%w: %s has pki/ or etcd/ but no %s; use an empty --data-dir", ErrForeignDataDir, dir, stateFile)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cluster state: %w", err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

func (s *state) save(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, stateFile), append(b, '\n'), 0o600)
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	out := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// checkPortFree fails with a clear message when 127.0.0.1:port is taken.
func checkPortFree(name string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%s port 127.0.0.1:%d is in use (is this data directory's cluster already running?): %w", name, port, err)
	}
	return l.Close()
}

// KubeconfigPath is where a cluster on dataDir writes its admin kubeconfig.
func KubeconfigPath(dataDir string) string { return kubeconfigPath(dataDir, "admin") }

// ReadNodeSpec returns the node shape recorded in dataDir, so another
// process (perflab cluster nodes add) adds nodes like the running ones.
func ReadNodeSpec(dataDir string) (NodeSpec, error) {
	s, err := loadState(dataDir)
	if err != nil {
		return NodeSpec{}, err
	}
	if s == nil {
		return NodeSpec{}, fmt.Errorf("%s holds no perflab cluster (no %s)", dataDir, stateFile)
	}
	return s.Node, nil
}
