package netperf

import (
	"fmt"
	"net"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// socketControl returns a net.Dialer/ListenConfig Control func that applies
// TCP_MAXSEG and the socket buffer sizes before connect or bind, when set.
func socketControl(p Params, tcp bool) func(network, address string, c syscall.RawConn) error {
	if p.MSS == 0 && p.SendBuffer == 0 && p.RecvBuffer == 0 {
		return nil
	}
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = applySockopts(int(fd), p, tcp)
		})
		if err != nil {
			return err
		}
		return serr
	}
}

func applySockopts(fd int, p Params, tcp bool) error {
	if tcp && p.MSS != 0 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_MAXSEG, p.MSS); err != nil {
			return fmt.Errorf("setsockopt TCP_MAXSEG %d: %w", p.MSS, err)
		}
	}
	if p.SendBuffer != 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, p.SendBuffer); err != nil {
			return fmt.Errorf("setsockopt SO_SNDBUF %d: %w", p.SendBuffer, err)
		}
	}
	if p.RecvBuffer != 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, p.RecvBuffer); err != nil {
			return fmt.Errorf("setsockopt SO_RCVBUF %d: %w", p.RecvBuffer, err)
		}
	}
	return nil
}

// applyConnSockopts sets the buffer sizes on an accepted connection.
func applyConnSockopts(c net.Conn, p Params) error {
	sc, ok := c.(syscall.Conn)
	if !ok || (p.SendBuffer == 0 && p.RecvBuffer == 0) {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = applySockopts(int(fd), Params{SendBuffer: p.SendBuffer, RecvBuffer: p.RecvBuffer}, false)
	}); err != nil {
		return err
	}
	return serr
}

// TCPStats are the TCP_INFO figures perflab reports for one connection.
type TCPStats struct {
	Retransmits uint32        // tcpi_total_retrans
	RTT         time.Duration // tcpi_rtt, smoothed
	MSS         uint32        // tcpi_snd_mss
}

// tcpInfo reads TCP_INFO from c; ok is false when c is not a TCP socket.
func tcpInfo(c net.Conn) (TCPStats, bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return TCPStats{}, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return TCPStats{}, false
	}
	var info *unix.TCPInfo
	var ierr error
	if err := raw.Control(func(fd uintptr) {
		info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil || ierr != nil {
		return TCPStats{}, false
	}
	return TCPStats{
		Retransmits: info.Total_retrans,
		RTT:         time.Duration(info.Rtt) * time.Microsecond,
		MSS:         info.Snd_mss,
	}, true
}

// processCPU returns the CPU time (user+system) this process has used,
// getrusage(RUSAGE_SELF). Each side of a test reports the delta over the
// test, so the figure includes everything the process spent: the data path,
// the Go scheduler and netpoller, and the garbage collector. When client and
// server share one process (engine tests) each side reports the process total.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// inNamespace runs f with the calling goroutine locked to its thread and the
// thread inside ns, so sockets f creates belong to ns (they stay there when
// the thread returns). With a nil ns f just runs. If leaving ns fails the
// thread stays locked, so the Go runtime discards it instead of reusing a
// thread in a foreign namespace.
func inNamespace(ns Namespace, f func() error) error {
	if ns == nil {
		return f()
	}
	runtime.LockOSThread()
	leave, err := ns.Enter()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter network namespace %s: %w", ns, err)
	}
	err = f()
	if lerr := leave(); lerr != nil {
		return fmt.Errorf("leave network namespace %s: %w", ns, lerr) // thread stays locked
	}
	runtime.UnlockOSThread()
	return err
}

// Namespace is where the client creates its sockets. Enter switches the
// calling, already locked OS thread into the namespace and returns a func
// that switches it back. Implementations must be safe for concurrent use.
type Namespace interface {
	Enter() (leave func() error, err error)
	String() string
}

// serverUDPBuffer is the receive buffer of the server's UDP socket: large
// enough to absorb bursts of a paced UDP_STREAM.
const serverUDPBuffer = 4 << 20

// setRecvBuffer sets SO_RCVBUF on c, trying SO_RCVBUFFORCE first so root can
// exceed net.core.rmem_max.
func setRecvBuffer(c syscall.Conn, size int) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size) == nil {
			return
		}
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, size)
	}); err != nil {
		return err
	}
	return serr
}
