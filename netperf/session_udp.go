package netperf

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
)

// udpDrain is how long the receiver keeps reading after the client is done,
// so datagrams still queued are counted.
const udpDrain = 200 * time.Millisecond

// startUDP runs the session's UDP worker on the server's UDP socket and
// returns the func that stops it and waits for it.
func (ss *session) startUDP(u *net.UDPConn) (stop func()) {
	var stopping atomic.Bool
	finished := make(chan struct{})
	_ = u.SetReadDeadline(time.Time{})
	if rb := ss.spec.RecvBuffer; rb > 0 { // the test's --recv-buffer applies to the receiving socket
		_ = setRecvBuffer(u, rb)
	}
	go func() {
		defer close(finished)
		var reports []udpReport
		err := func() error {
			if ss.spec.Test == UDPRR {
				n, err := ss.udpEcho(u, &stopping)
				ss.mu.Lock()
				ss.conns += n
				ss.mu.Unlock()
				return err
			}
			var err error
			reports, err = ss.udpReceive(u, &stopping)
			return err
		}()
		ss.mu.Lock()
		ss.udp = reports
		if err != nil {
			ss.errs = append(ss.errs, err)
		}
		ss.mu.Unlock()
	}()
	return func() {
		stopping.Store(true)
		_ = u.SetReadDeadline(time.Now().Add(udpDrain))
		<-finished
		if ss.spec.RecvBuffer > 0 {
			_ = setRecvBuffer(u, serverUDPBuffer)
		}
	}
}

// udpStopped reports whether a read error ends the worker.
func udpStopped(err error, stopping *atomic.Bool) (bool, error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return stopping.Load(), nil
	}
	if errors.Is(err, net.ErrClosed) {
		return true, err
	}
	return false, nil // e.g. ICMP errors reported on the socket: keep going
}

type udpStreamState struct {
	udpReport
	maxSeq      uint64
	lastTransit int64
	jitter      float64
}

// udpReceive counts UDP_STREAM datagrams per stream, with RFC 3550 jitter
// from kernel receive timestamps. It reads up to udpBatch datagrams per
// recvmmsg call and does not allocate in the loop.
func (ss *session) udpReceive(u *net.UDPConn, stopping *atomic.Bool) ([]udpReport, error) {
	tsOK := enableRxTimestamps(u) == nil
	msgs := make([]ipv4.Message, udpBatch)
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, 64<<10)}
		msgs[i].OOB = make([]byte, oobSpace)
	}
	bc := newBatchConn(u)
	st := make([]udpStreamState, ss.spec.Streams)
	var rerr error
	for {
		n, err := bc.ReadBatch(msgs, 0)
		if err != nil {
			stop, e := udpStopped(err, stopping)
			if stop {
				rerr = e
				break
			}
			continue
		}
		ss.touch()
		now := time.Now().UnixNano()
		for i := range n {
			m := &msgs[i]
			h, ok := parseUDPHeader(m.Buffers[0][:m.N])
			if !ok || h.session != ss.id || int(h.stream) >= len(st) || !ss.fromUDP(m.Addr) {
				continue // stale datagram from an earlier test, or not ours
			}
			arrival := now
			if tsOK {
				arrival = rxTimestamp(m.OOB[:m.NN], now)
			}
			st[h.stream].add(h, m.N, arrival)
		}
	}
	out := make([]udpReport, len(st))
	for i := range st {
		out[i] = st[i].udpReport
		out[i].Jitter = time.Duration(st[i].jitter)
	}
	return out, rerr
}

// add accounts one datagram of the stream.
func (s *udpStreamState) add(h udpHeader, size int, arrival int64) {
	s.Received++
	s.Bytes += int64(size)
	if s.Received > 1 && h.seq < s.maxSeq {
		s.OutOfOrder++
	} else {
		s.maxSeq = h.seq
	}
	transit := arrival - h.sent
	if s.Received > 1 {
		d := float64(transit - s.lastTransit)
		if d < 0 {
			d = -d
		}
		s.jitter += (d - s.jitter) / 16
	}
	s.lastTransit = transit
}

// fromUDP reports whether a datagram's source is the session's peer.
func (ss *session) fromUDP(a net.Addr) bool {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return false
	}
	ip, ok := netip.AddrFromSlice(ua.IP)
	return ok && ss.from(ip)
}

// udpEcho answers UDP_RR requests, echoing the header so the client can
// match responses to requests. Only datagrams from the session's peer
// carrying its id are answered, one response of the size its control
// connection asked for per request: nothing goes to a spoofed source, and
// the response rate is the peer's own request rate.
func (ss *session) udpEcho(u *net.UDPConn, stopping *atomic.Bool) (answered uint64, err error) {
	buf := make([]byte, 64<<10)
	resp := make([]byte, max(ss.spec.ResponseSize, udpHeaderLen))
	for {
		n, addr, rerr := u.ReadFromUDPAddrPort(buf)
		if err = rerr; err != nil {
			stop, e := udpStopped(err, stopping)
			if stop {
				return answered, e
			}
			continue
		}
		h, ok := parseUDPHeader(buf[:n])
		if !ok || h.session != ss.id || !ss.from(addr.Addr()) {
			continue
		}
		ss.touch()
		copy(resp[:udpHeaderLen], buf[:udpHeaderLen])
		if _, err := u.WriteToUDPAddrPort(resp, addr); err != nil {
			continue
		}
		answered++
	}
}
