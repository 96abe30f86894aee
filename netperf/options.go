package netperf

import (
	"errors"
	"fmt"
	"time"
)

// Limits the engine accepts.
const (
	MinMSS            = 88    // TCP_MIN_MSS in Linux
	MaxMSS            = 32767 // largest value Linux accepts for TCP_MAXSEG
	DefaultPort       = 5201
	DefaultStreamSize = 128 << 10 // TCP_STREAM write size, as iperf3's default
	DefaultUDPSize    = 1024      // UDP_STREAM datagram payload, as cilium's --msg-size
	DefaultUDPRate    = 1e9       // UDP_STREAM target bits/s
	maxMessageSize    = 16 << 20
	maxUDPSize        = 65507
	maxStreams        = 128
	maxDuration       = 24 * time.Hour
)

// ErrBadInput marks errors caused by invalid options, for exit-code mapping.
var ErrBadInput = errors.New("invalid input")

// Params are the knobs of one test; they travel to the server in the control request.
type Params struct {
	Duration      time.Duration `json:"duration"`
	Streams       int           `json:"streams"`       // parallel connections (TCP_STREAM, UDP_STREAM)
	Reverse       bool          `json:"reverse"`       // server sends (TCP_STREAM)
	Bidir         bool          `json:"bidir"`         // both directions at once (TCP_STREAM)
	MSS           int           `json:"mss"`           // TCP_MAXSEG on the client socket; 0 = kernel default
	MessageSize   int           `json:"messageSize"`   // write size (TCP_STREAM) or datagram payload (UDP_STREAM); 0 = default
	RequestSize   int           `json:"requestSize"`   // RR/CRR request bytes; 0 = 1
	ResponseSize  int           `json:"responseSize"`  // RR/CRR response bytes; 0 = 1
	BitsPerSecond float64       `json:"bitsPerSecond"` // UDP_STREAM target rate over all streams; 0 = default, <0 = unlimited
	SendBuffer    int           `json:"sendBuffer"`    // SO_SNDBUF both ends; 0 = kernel autotuning
	RecvBuffer    int           `json:"recvBuffer"`    // SO_RCVBUF both ends; 0 = kernel autotuning
}

// Spec is one test with its parameters, as sent to the server.
type Spec struct {
	Test Test `json:"test"`
	Params
}

// Validate checks p for test t and fills defaults. Errors wrap ErrBadInput.
func (p *Params) Validate(t Test) error {
	info, ok := tests[t]
	if !ok {
		return fmt.Errorf("%w: unknown test %q: want one of %s", ErrBadInput, t, joinTests(Tests()))
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, a...))
	}
	switch {
	case p.Duration <= 0:
		return bad("--duration %s: must be greater than 0", p.Duration)
	case p.Duration > maxDuration:
		return bad("--duration %s: at most %s", p.Duration, maxDuration)
	case p.MSS != 0 && (p.MSS < MinMSS || p.MSS > MaxMSS):
		return bad("--mss %d: out of range, Linux accepts TCP_MAXSEG %d..%d", p.MSS, MinMSS, MaxMSS)
	case p.Streams < 0 || p.Streams > maxStreams:
		return bad("--streams %d: want 1..%d", p.Streams, maxStreams)
	case p.Reverse && p.Bidir:
		return bad("--reverse and --bidir exclude each other")
	case p.MessageSize < 0 || p.MessageSize > maxMessageSize:
		return bad("--msg-size %d: want 1..%d", p.MessageSize, maxMessageSize)
	case p.RequestSize < 0 || p.RequestSize > maxMessageSize || p.ResponseSize < 0 || p.ResponseSize > maxMessageSize:
		return bad("--req-size/--resp-size: want 1..%d", maxMessageSize)
	case p.SendBuffer < 0 || p.RecvBuffer < 0:
		return bad("socket buffer sizes must not be negative")
	}
	if p.Streams == 0 {
		p.Streams = 1
	}
	if p.RequestSize == 0 {
		p.RequestSize = 1
	}
	if p.ResponseSize == 0 {
		p.ResponseSize = 1
	}
	if t != TCPStream {
		p.Reverse, p.Bidir = false, false // directions apply to TCP_STREAM only
	}
	if t != TCPStream && t != UDPStream {
		p.Streams = 1
	}
	if info.udp {
		p.MSS = 0
		if t == UDPRR && (p.RequestSize > maxUDPSize || p.ResponseSize > maxUDPSize) {
			return bad("--req-size/--resp-size %d/%d: UDP datagrams hold at most %d bytes", p.RequestSize, p.ResponseSize, maxUDPSize)
		}
	}
	switch t {
	case TCPStream:
		if p.MessageSize == 0 {
			p.MessageSize = DefaultStreamSize
		}
	case UDPStream:
		if p.MessageSize == 0 {
			p.MessageSize = DefaultUDPSize
		}
		if p.MessageSize < udpHeaderLen || p.MessageSize > maxUDPSize {
			return bad("--msg-size %d: UDP_STREAM datagrams need %d..%d bytes", p.MessageSize, udpHeaderLen, maxUDPSize)
		}
		if p.BitsPerSecond == 0 {
			p.BitsPerSecond = DefaultUDPRate
		}
	}
	return nil
}
