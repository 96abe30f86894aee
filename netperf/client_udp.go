package netperf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// udpRRTimeout is how long a UDP_RR request waits for its response before
// it counts as lost and the next one is sent.
const udpRRTimeout = 500 * time.Millisecond

func (r *clientRun) dialUDP() (net.Conn, error) {
	d := net.Dialer{Control: socketControl(r.spec.Params, false)}
	var c net.Conn
	err := inNamespace(r.ns, func() (err error) {
		c, err = d.DialContext(r.ctx, "udp", r.udpAddr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dial udp %s: %w", r.udpAddr, err)
	}
	return c, nil
}

type udpRRWorker struct {
	r    *clientRun
	c    net.Conn
	stop func() bool
}

func (w *udpRRWorker) prepare() (err error) {
	w.c, err = w.r.dialUDP()
	if err == nil {
		w.stop = context.AfterFunc(w.r.ctx, func() { w.c.Close() })
	}
	return err
}

func (w *udpRRWorker) run() (workerResult, error) {
	sp := w.r.spec
	req := make([]byte, max(sp.RequestSize, udpHeaderLen))
	buf := make([]byte, 64<<10)
	res := workerResult{hist: new(Histogram)}
	start := time.Now()
	end := start.Add(sp.Duration)
	var seq uint64
	for t0 := start; t0.Before(end); {
		seq++
		udpHeader{session: w.r.session, seq: seq, sent: t0.UnixNano()}.put(req)
		if _, err := w.c.Write(req); err != nil && w.r.ctx.Err() != nil {
			return res, w.r.ctx.Err()
		}
		_ = w.c.SetReadDeadline(t0.Add(udpRRTimeout))
		for {
			n, err := w.c.Read(buf)
			if err != nil {
				if w.r.ctx.Err() != nil {
					return res, w.r.ctx.Err()
				}
				if errors.Is(err, os.ErrDeadlineExceeded) {
					break // lost; send the next request
				}
				continue
			}
			if h, ok := parseUDPHeader(buf[:n]); ok && h.session == w.r.session && h.seq == seq {
				res.hist.Record(time.Since(t0))
				res.transactions++
				break
			}
		}
		t0 = time.Now()
	}
	res.elapsed = time.Since(start)
	return res, nil
}

func (w *udpRRWorker) close() {
	if w.c != nil {
		w.stop()
		w.c.Close()
	}
}

// udpStreamWorker sends paced datagrams: datagram k leaves at start+k·interval,
// sleeping only when more than a millisecond ahead so pacing stays cheap.
type udpStreamWorker struct {
	r      *clientRun
	stream int
	c      net.Conn
	stop   func() bool
}

func (w *udpStreamWorker) prepare() (err error) {
	w.c, err = w.r.dialUDP()
	if err == nil {
		w.stop = context.AfterFunc(w.r.ctx, func() { w.c.Close() })
	}
	return err
}

func (w *udpStreamWorker) run() (workerResult, error) {
	sp := w.r.spec
	buf := make([]byte, sp.MessageSize)
	var interval time.Duration
	if sp.BitsPerSecond > 0 {
		perStream := sp.BitsPerSecond / float64(sp.Streams)
		interval = time.Duration(float64(sp.MessageSize*8) / perStream * 1e9)
	}
	res := workerResult{stream: w.stream}
	start := time.Now()
	end := start.Add(sp.Duration)
	h := udpHeader{session: w.r.session, stream: uint32(w.stream)}
	for k := int64(0); ; k++ {
		now := time.Now()
		if !now.Before(end) {
			break
		}
		if interval > 0 {
			if ahead := start.Add(time.Duration(k) * interval).Sub(now); ahead > time.Millisecond {
				time.Sleep(ahead)
				now = time.Now()
			}
		}
		h.seq, h.sent = res.udpSent, now.UnixNano()
		h.put(buf)
		if _, err := w.c.Write(buf); err != nil {
			if w.r.ctx.Err() != nil {
				return res, w.r.ctx.Err()
			}
			continue // ENOBUFS or an ICMP error: not sent
		}
		res.udpSent++
		res.sentBytes += int64(len(buf))
	}
	res.sentElapsed = time.Since(start)
	res.elapsed = res.sentElapsed
	return res, nil
}

func (w *udpStreamWorker) close() {
	if w.c != nil {
		w.stop()
		w.c.Close()
	}
}
