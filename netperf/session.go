package netperf

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// session is the server's side of one test.
type session struct {
	ctx    context.Context
	cancel context.CancelFunc
	id     uint64
	spec   Spec

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

func newSession(ctx context.Context, id uint64, spec Spec) *session {
	ctx, cancel := context.WithCancel(ctx)
	return &session{ctx: ctx, cancel: cancel, id: id, spec: spec, cpu0: processCPU()}
}

// data takes over a data connection; false means the session is over.
func (ss *session) data(c net.Conn, p preamble) bool {
	ss.mu.Lock()
	if ss.closed || ss.ctx.Err() != nil {
		ss.mu.Unlock()
		return false
	}
	ss.wg.Add(1)
	ss.mu.Unlock()
	go func() {
		defer ss.wg.Done()
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
