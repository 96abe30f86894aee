package netperf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/net/ipv4"
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
				w.r.progress.Add(1)
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

// udpStreamWorker sends paced datagrams with sendmmsg, up to udpBatch per
// call: datagram k is due at start+k·interval, and the worker may run up to
// a millisecond ahead of schedule, sleeping only when further ahead, so
// pacing stays cheap.
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
	uc, ok := w.c.(*net.UDPConn)
	if !ok {
		return workerResult{}, fmt.Errorf("UDP_STREAM: %T is not a UDP socket", w.c)
	}
	bc := newBatchConn(uc)
	msgs := make([]ipv4.Message, udpBatch)
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, sp.MessageSize)}
	}
	var interval time.Duration
	if sp.BitsPerSecond > 0 {
		perStream := sp.BitsPerSecond / float64(sp.Streams)
		interval = max(time.Duration(float64(sp.MessageSize*8)/perStream*1e9), 1)
	}
	res := workerResult{stream: w.stream}
	start := time.Now()
	end := start.Add(sp.Duration)
	h := udpHeader{session: w.r.session, stream: uint32(w.stream)}
	var attempted int64 // datagrams handed to the kernel or dropped by it
	for {
		now := time.Now()
		if !now.Before(end) {
			break
		}
		n := int64(udpBatch)
		if interval > 0 {
			allowed := int64((now.Sub(start)+time.Millisecond)/interval) + 1 - attempted
			if allowed <= 0 {
				time.Sleep(start.Add(time.Duration(attempted)*interval).Sub(now) - time.Millisecond)
				continue
			}
			n = min(n, allowed)
		}
		sent := now.UnixNano()
		for i := range n {
			h.seq, h.sent = res.udpSent+uint64(i), sent
			h.put(msgs[i].Buffers[0])
		}
		k, err := bc.WriteBatch(msgs[:n], 0)
		if k > 0 {
			res.udpSent += uint64(k)
			res.sentBytes += int64(k * sp.MessageSize)
			w.r.progress.Add(8 * int64(k*sp.MessageSize))
		}
		attempted += max(int64(k), 1)
		if err != nil && w.r.ctx.Err() != nil {
			return res, w.r.ctx.Err()
		} // other errors (ENOBUFS, ICMP refused): those datagrams were not sent
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
