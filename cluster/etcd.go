package cluster

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
)

// etcdServer is the embedded etcd member. Close is safe to call twice
// (embed.Etcd.Close panics on a second call).
type etcdServer struct {
	e         *embed.Etcd
	closeOnce sync.Once
}

// startEtcd runs the member; noFsync is etcd's --unsafe-no-fsync (see
// Options.EtcdUnsafeNoFsync).
func startEtcd(ctx context.Context, dataDir string, p pki, pt ports, logFile string, noFsync bool) (*etcdServer, error) {
	cfg := embed.NewConfig()
	cfg.Name = "perflab"
	cfg.Dir = filepath.Join(dataDir, "etcd")
	client := mustURL("https", pt.EtcdClient)
	peer := mustURL("https", pt.EtcdPeer)
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.ListenMetricsUrls = []url.URL{mustURL("http", pt.EtcdMetrics)}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	tls := transport.TLSInfo{
		CertFile:       p.cert("etcd-server"),
		KeyFile:        p.key("etcd-server"),
		TrustedCAFile:  p.etcdCACert(),
		ClientCertAuth: true,
	}
	cfg.ClientTLSInfo = tls
	cfg.PeerTLSInfo = tls
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{logFile}
	// Room for large object counts (150k pods are ~1.5 GiB in etcd).
	cfg.QuotaBackendBytes = 8 << 30
	cfg.AutoCompactionMode = "periodic"
	cfg.AutoCompactionRetention = "5m"
	cfg.UnsafeNoFsync = noFsync

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("start etcd: %w", err)
	}
	s := &etcdServer{e: e}
	select {
	case <-e.Server.ReadyNotify():
		return s, nil
	case err := <-e.Err():
		s.Close()
		return nil, fmt.Errorf("etcd: %w", err)
	case <-time.After(time.Minute):
		s.Close()
		return nil, fmt.Errorf("etcd not ready after a minute (see %s)", logFile)
	case <-ctx.Done():
		s.Close()
		return nil, ctx.Err()
	}
}

func (s *etcdServer) Close() {
	s.closeOnce.Do(func() { s.e.Close() })
}

func mustURL(scheme string, port int) url.URL {
	return url.URL{Scheme: scheme, Host: "127.0.0.1:" + strconv.Itoa(port)}
}
