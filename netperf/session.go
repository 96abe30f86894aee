package netperf

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// session is the server's side of one test.
type session struct {
	ctx    context.Context
	cancel context.CancelFunc
	id     uint64
	spec   Spec
	// peer is the address that opened the session over TCP: data
	// connections and UDP datagrams from anywhere else are ignored, and
	// UDP replies go nowhere else.
	peer netip.Addr

	// lastActive (unix ns) and openData tell an idle session from a busy one.
	lastActive atomic.Int64
	openData   atomic.Int32

	sendOnce sync.Once
	sendBuf  []byte // read-only payload shared by the session's senders

	wg      sync.WaitGroup
	mu      sync.Mutex
	closed  bool
	cpu0    time.Duration // process CPU at the start
	streams []streamReport
	udp     []udpReport
	conns   uint64
	errs    []error
}

func newSession(ctx context.Context, id uint64, spec Spec, peer netip.Addr) *session {
	ctx, cancel := context.WithCancel(ctx)
	ss := &session{ctx: ctx, cancel: cancel, id: id, spec: spec, peer: peer.Unmap(), cpu0: processCPU()}
	ss.touch()
	return ss
}

// newSessionID draws an unguessable, non-zero session id.
func newSessionID() (uint64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("session id: %w", err)
	}
	return binary.BigEndian.Uint64(b[:]) | 1, nil
}

// from reports whether addr is the session's peer.
func (ss *session) from(addr netip.Addr) bool { return addr.Unmap() == ss.peer }

func (ss *session) touch() { ss.lastActive.Store(time.Now().UnixNano()) }

// idleFor is how long the session has had no open data connection and no
// datagram from its peer.
func (ss *session) idleFor(now time.Time) time.Duration {
	if ss.openData.Load() > 0 {
		return 0
	}
	return now.Sub(time.Unix(0, ss.lastActive.Load()))
}

// data takes over a data connection from the session's peer; false means
// the session is over or the connection comes from elsewhere.
func (ss *session) data(c net.Conn, p preamble) bool {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err != nil || !ss.from(ap.Addr()) {
		return false
	}
	ss.mu.Lock()
	if ss.closed || ss.ctx.Err() != nil {
		ss.mu.Unlock()
		return false
	}
	ss.wg.Add(1)
	ss.mu.Unlock()
	ss.openData.Add(1)
	go func() {
		defer ss.wg.Done()
		defer func() { ss.touch(); ss.openData.Add(-1) }()
		ss.serveData(c, p)
	}()
	return true
}

func (ss *session) serveData(c net.Conn, p preamble) {
	stop := context.AfterFunc(ss.ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	sp := ss.spec.Params
	rep := streamReport{Stream: int(p.stream), Role: p.role}
	err := func() error {
		if err := applyConnSockopts(c, sp); err != nil {
			return err
		}
		var err error
		switch p.role {
		case roleReceive:
			rep.Bytes, rep.Elapsed, err = receiveAll(c, make([]byte, recvBufferSize), sp.Duration+drainTimeout+time.Minute, nil)
		case roleSend:
			ss.sendOnce.Do(func() { ss.sendBuf = make([]byte, sp.MessageSize) })
			rep.Bytes, rep.Elapsed, err = sendFor(c, ss.sendBuf, sp.Duration, nil)
			rep.TCP, _ = tcpInfo(c)
		case roleEcho:
			err = echo(c, make([]byte, sp.RequestSize), make([]byte, sp.ResponseSize))
		case roleConnect:
			err = answerOnce(c, make([]byte, sp.RequestSize), make([]byte, sp.ResponseSize))
		default:
			err = errors.New("unknown data role")
		}
		return err
	}()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	switch p.role {
	case roleReceive, roleSend:
		ss.streams = append(ss.streams, rep)
	case roleConnect:
		if err == nil {
			ss.conns++
		}
	}
	if err != nil && ss.ctx.Err() == nil {
		ss.errs = append(ss.errs, err)
	}
}

// echo answers requests with responses until the client closes.
func echo(c net.Conn, req, resp []byte) error {
	for {
		if _, err := io.ReadFull(c, req); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if _, err := c.Write(resp); err != nil {
			return err
		}
	}
}

// answerOnce serves one TCP_CRR transaction; the server closes first, so
// TIME_WAIT stays on the server and the client does not run out of ports.
func answerOnce(c net.Conn, req, resp []byte) error {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, req); err != nil {
		return err
	}
	_, err := c.Write(resp)
	return err
}

// abort ends the session without a report.
func (ss *session) abort(udpStop func()) {
	ss.cancel()
	if udpStop != nil {
		udpStop()
	}
	ss.wg.Wait()
}

// finish stops accepting data, waits for the workers and builds the report.
func (ss *session) finish(udpStop func(), _ done) report {
	ss.mu.Lock()
	ss.closed = true
	ss.mu.Unlock()
	if udpStop != nil {
		udpStop()
	}
	waited := make(chan struct{})
	go func() { ss.wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(drainTimeout):
		ss.cancel()
		<-waited
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	rep := report{CPU: processCPU() - ss.cpu0, Streams: ss.streams, UDP: ss.udp, Connections: ss.conns}
	if len(ss.errs) > 0 {
		rep.Error = errors.Join(ss.errs...).Error()
	}
	return rep
}
