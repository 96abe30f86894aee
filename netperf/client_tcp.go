package netperf

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// dialData opens a data connection and sends its preamble (plus extra bytes,
// so a TCP_CRR request leaves in the same segment).
func (r *clientRun) dialData(ro role, stream int, extra []byte) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second, Control: socketControl(r.spec.Params, true)}
	var c net.Conn
	err := inNamespace(r.ns, func() (err error) {
		c, err = d.DialContext(r.ctx, "tcp", r.tcpAddr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", r.tcpAddr, err)
	}
	msg := preamble{kind: kindData, role: ro, stream: uint16(stream), session: r.session}.marshal(make([]byte, 0, preambleLen+len(extra)))
	if _, err := c.Write(append(msg, extra...)); err != nil {
		c.Close()
		return nil, fmt.Errorf("write preamble: %w", err)
	}
	return c, nil
}

// watch closes c when the run's context ends.
func (r *clientRun) watch(c net.Conn) func() bool {
	return context.AfterFunc(r.ctx, func() { c.Close() })
}

type tcpStreamWorker struct {
	r      *clientRun
	stream int
	send   bool // client sends (forward); else server sends (reverse)
	c      net.Conn
	stop   func() bool
}

func (w *tcpStreamWorker) prepare() (err error) {
	ro := roleReceive
	if !w.send {
		ro = roleSend
	}
	w.c, err = w.r.dialData(ro, w.stream, nil)
	if err == nil {
		w.stop = w.r.watch(w.c)
	}
	return err
}

func (w *tcpStreamWorker) run() (workerResult, error) {
	res := workerResult{stream: w.stream}
	var err error
	if w.send {
		buf := make([]byte, w.r.spec.MessageSize)
		res.sentBytes, res.sentElapsed, err = sendFor(w.c, buf, w.r.spec.Duration, w.r.progress)
		res.elapsed = res.sentElapsed
		res.tcp, res.hasTCP = tcpInfo(w.c)
	} else {
		res.recvBytes, res.recvElapsed, err = receiveAll(w.c, make([]byte, recvBufferSize), w.r.spec.Duration+drainTimeout+time.Minute, w.r.progress)
		res.elapsed = res.recvElapsed
	}
	return res, err
}

func (w *tcpStreamWorker) close() {
	if w.c != nil {
		w.stop()
		w.c.Close()
	}
}

type tcpRRWorker struct {
	r    *clientRun
	c    net.Conn
	stop func() bool
}

func (w *tcpRRWorker) prepare() (err error) {
	w.c, err = w.r.dialData(roleEcho, 0, nil)
	if err == nil {
		w.stop = w.r.watch(w.c)
	}
	return err
}

// run keeps one transaction in flight for the duration. The loop does not allocate.
func (w *tcpRRWorker) run() (workerResult, error) {
	sp := w.r.spec
	req, resp := make([]byte, sp.RequestSize), make([]byte, sp.ResponseSize)
	res := workerResult{hist: new(Histogram)}
	start := time.Now()
	end := start.Add(sp.Duration)
	if err := w.c.SetDeadline(end.Add(10 * time.Second)); err != nil {
		return res, err
	}
	for t0 := start; t0.Before(end); {
		if _, err := w.c.Write(req); err != nil {
			return res, fmt.Errorf("TCP_RR write: %w", err)
		}
		if _, err := io.ReadFull(w.c, resp); err != nil {
			return res, fmt.Errorf("TCP_RR read: %w", err)
		}
		t1 := time.Now()
		res.hist.Record(t1.Sub(t0))
		res.transactions++
		w.r.progress.Add(1)
		t0 = t1
	}
	res.elapsed = time.Since(start)
	res.tcp, res.hasTCP = tcpInfo(w.c)
	return res, nil
}

func (w *tcpRRWorker) close() {
	if w.c != nil {
		w.stop()
		w.c.Close()
	}
}

// tcpCRRWorker opens a new connection per transaction: connect, request,
// response, then waits for the server's close.
type tcpCRRWorker struct {
	r *clientRun
}

func (w *tcpCRRWorker) prepare() error { return nil }

func (w *tcpCRRWorker) run() (workerResult, error) {
	sp := w.r.spec
	req, resp := make([]byte, sp.RequestSize), make([]byte, sp.ResponseSize)
	var one [1]byte
	res := workerResult{hist: new(Histogram)}
	start := time.Now()
	end := start.Add(sp.Duration)
	for t0 := start; t0.Before(end); {
		c, err := w.r.dialData(roleConnect, 0, req)
		if err != nil {
			return res, fmt.Errorf("TCP_CRR after %d connections: %w", res.transactions, err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(c, resp); err != nil {
			c.Close()
			return res, fmt.Errorf("TCP_CRR read: %w", err)
		}
		if _, err := c.Read(one[:]); err != io.EOF {
			c.Close()
			return res, fmt.Errorf("TCP_CRR: server did not close: %v", err)
		}
		c.Close()
		t1 := time.Now()
		res.hist.Record(t1.Sub(t0))
		res.transactions++
		w.r.progress.Add(1)
		t0 = t1
	}
	res.elapsed = time.Since(start)
	return res, nil
}

func (w *tcpCRRWorker) close() {}
