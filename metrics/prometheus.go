package metrics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// ErrNoPrometheus is returned when the prometheus binary is not on PATH.
var ErrNoPrometheus = errors.New("prometheus binary not found on PATH (install it with `apt-get install prometheus`)")

// DefaultPrometheusAddr is where a managed Prometheus listens by default.
const DefaultPrometheusAddr = "127.0.0.1:9090"

// Options configure a managed Prometheus process.
type Options struct {
	// Binary is the executable name or path; default "prometheus".
	Binary string
	// ConfigFile is the prometheus.yml to load (required).
	ConfigFile string
	// Addr is the listen address; default 127.0.0.1:9090. A port of 0 picks
	// a free loopback port.
	Addr string
	// DataDir holds the TSDB and prometheus.log; "" means a temporary
	// directory removed by Stop.
	DataDir string
	// ReadyTimeout bounds the wait for /-/ready; default 60s.
	ReadyTimeout time.Duration
	// Args are extra command-line flags.
	Args []string
}

// Prometheus is a running Prometheus server started by StartPrometheus.
type Prometheus struct {
	cmd     *exec.Cmd
	addr    string
	dataDir string
	tempDir bool
	logPath string
	exited  chan struct{}
	waitErr error
}

// StartPrometheus starts the prometheus binary with o.ConfigFile and waits
// until it reports ready. The process outlives ctx (which only bounds the
// start); call Stop to end it.
func StartPrometheus(ctx context.Context, o Options) (*Prometheus, error) {
	if o.ConfigFile == "" {
		return nil, errors.New("prometheus: no config file given")
	}
	if _, err := os.Stat(o.ConfigFile); err != nil {
		return nil, fmt.Errorf("prometheus: config file: %w", err)
	}
	if o.Binary == "" {
		o.Binary = "prometheus"
	}
	bin, err := exec.LookPath(o.Binary)
	if err != nil {
		if o.Binary == "prometheus" {
			return nil, ErrNoPrometheus
		}
		return nil, fmt.Errorf("prometheus binary %q: %w", o.Binary, err)
	}
	if o.Addr == "" {
		o.Addr = DefaultPrometheusAddr
	}
	addr, err := resolveListenAddr(o.Addr)
	if err != nil {
		return nil, err
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	p := &Prometheus{addr: addr, dataDir: o.DataDir, exited: make(chan struct{})}
	if p.dataDir == "" {
		if p.dataDir, err = os.MkdirTemp("", "perflab-prometheus-"); err != nil {
			return nil, fmt.Errorf("prometheus: data dir: %w", err)
		}
		p.tempDir = true
	} else if err := os.MkdirAll(p.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("prometheus: data dir: %w", err)
	}
	p.logPath = filepath.Join(p.dataDir, "prometheus.log")
	logFile, err := os.Create(p.logPath)
	if err != nil {
		p.cleanup()
		return nil, fmt.Errorf("prometheus: log file: %w", err)
	}
	args := append([]string{
		"--config.file=" + o.ConfigFile,
		"--web.listen-address=" + addr,
		"--storage.tsdb.path=" + filepath.Join(p.dataDir, "tsdb"),
		"--storage.tsdb.retention.time=1d",
		"--web.enable-lifecycle",
	}, o.Args...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	// The server must not outlive perflab if perflab is killed.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		p.cleanup()
		return nil, fmt.Errorf("prometheus: start %s: %w", bin, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	slog.Info("prometheus starting", "addr", addr, "config", o.ConfigFile, "data", p.dataDir, "pid", p.cmd.Process.Pid)
	readyCtx, cancel := context.WithTimeout(ctx, o.ReadyTimeout)
	defer cancel()
	if err := p.waitReady(readyCtx); err != nil {
		_ = p.Stop()
		return nil, err
	}
	slog.Info("prometheus ready", "url", p.URL())
	return p, nil
}

// URL is the base URL of the server's HTTP API.
func (p *Prometheus) URL() string { return "http://" + p.addr }

// Addr is the listen address.
func (p *Prometheus) Addr() string { return p.addr }

// DataDir is where the TSDB and prometheus.log live.
func (p *Prometheus) DataDir() string { return p.dataDir }

// Stop ends the server (SIGTERM, then SIGKILL after 10s) and removes a
// temporary data directory. It is safe to call more than once.
func (p *Prometheus) Stop() error {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	p.cleanup()
	return nil
}

func (p *Prometheus) cleanup() {
	if p.tempDir {
		_ = os.RemoveAll(p.dataDir)
		p.tempDir = false
	}
}

// waitReady polls /-/ready until it answers 200, the process exits or ctx
// ends.
func (p *Prometheus) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL()+"/-/ready", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("prometheus exited before ready (%v): %s", p.waitErr, p.logTail())
		case <-ctx.Done():
			return fmt.Errorf("prometheus not ready at %s: %w: %s", p.URL(), ctx.Err(), p.logTail())
		case <-tick.C:
		}
	}
}

// logTail returns the last lines of prometheus.log for error messages.
func (p *Prometheus) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return string(bytes.TrimSpace(b))
}

// resolveListenAddr validates host:port, checks that the port is free and
// replaces port 0 with a free port.
func resolveListenAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("prometheus address %q: %w", addr, err)
	}
	// Probe the port: waiting for /-/ready on a port another server holds
	// would find that server ready instead of ours.
	l, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return "", fmt.Errorf("prometheus address %q (choose another with --prometheus-addr): %w", addr, err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
