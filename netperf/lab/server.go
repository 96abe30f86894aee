package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// ServerCommand returns the command that runs a netperf server bound to
// bind:port. The lab starts it inside the scenario's server namespace, so
// the server is its own process and its getrusage CPU is its own.
type ServerCommand func(bind string, port int) (*exec.Cmd, error)

// SelfServer runs this executable's `perflab netperf server`.
func SelfServer(bind string, port int) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the perflab executable: %w", err)
	}
	return exec.Command(exe, "netperf", "server", "--bind", bind, "--port", strconv.Itoa(port), "--log-level", "warn"), nil
}

// serverProcess is a netperf server running in a namespace.
type serverProcess struct {
	cmd    *exec.Cmd
	exited chan error
}

// startServer forks cmd from a thread inside ns (the child inherits the
// thread's network namespace) and waits until client can connect to addr.
func startServer(ctx context.Context, ns, client *namespace, cmd *exec.Cmd, addr string) (*serverProcess, error) {
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive perflab
	if err := ns.do(cmd.Start); err != nil {
		return nil, fmt.Errorf("start server in %s: %w", ns, err)
	}
	sp := &serverProcess{cmd: cmd, exited: make(chan error, 1)}
	go func() { sp.exited <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var c net.Conn
		err := client.do(func() (err error) {
			c, err = net.DialTimeout("tcp", addr, time.Second)
			return err
		})
		if err == nil {
			c.Close()
			return sp, nil
		}
		select {
		case werr := <-sp.exited:
			sp.exited <- werr
			return nil, fmt.Errorf("server in %s exited: %v", ns, werr)
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), sp.stop())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, errors.Join(fmt.Errorf("server in %s not reachable at %s: %w", ns, addr, err), sp.stop())
		}
	}
}

// stop terminates the server (SIGTERM, then SIGKILL after 5 s) and reaps it.
func (sp *serverProcess) stop() error {
	_ = sp.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-sp.exited:
		// perflab netperf server ends on SIGTERM and exits 0.
		if err != nil {
			return fmt.Errorf("server on SIGTERM: %w", err)
		}
		return nil
	case <-time.After(5 * time.Second):
		_ = sp.cmd.Process.Kill()
		return fmt.Errorf("server did not stop on SIGTERM; killed (%v)", <-sp.exited)
	}
}
