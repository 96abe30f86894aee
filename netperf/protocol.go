package netperf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Every TCP connection to the server starts with a fixed preamble:
//
//	"PLNP" | version (1) | kind (1) | role (1) | stream (2, BE) | session (8, BE)
//
// Control connections then carry newline-delimited JSON: the client sends a
// request, the server answers hello; after the traffic the client sends done
// and the server answers report. Data connections carry raw test traffic.
// UDP datagrams start with udpHeader.
const (
	preambleMagic   = "PLNP"
	protocolVersion = 1
	preambleLen     = 17
)

type connKind byte

const (
	kindControl connKind = 1
	kindData    connKind = 2
)

// role is what the server does on a data connection.
type role byte

const (
	roleReceive role = iota + 1 // client sends, server counts (TCP_STREAM forward)
	roleSend                    // server sends for the duration (TCP_STREAM reverse)
	roleEcho                    // request/response until EOF (TCP_RR)
	roleConnect                 // one request/response, then close (TCP_CRR)
)

type preamble struct {
	kind    connKind
	role    role
	stream  uint16
	session uint64
}

func (p preamble) marshal(b []byte) []byte {
	b = append(b, preambleMagic...)
	b = append(b, protocolVersion, byte(p.kind), byte(p.role))
	b = binary.BigEndian.AppendUint16(b, p.stream)
	return binary.BigEndian.AppendUint64(b, p.session)
}

var errNotPerflab = errors.New("not a perflab netperf peer")

func readPreamble(r io.Reader) (preamble, error) {
	var b [preambleLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return preamble{}, fmt.Errorf("read preamble: %w", err)
	}
	if string(b[:4]) != preambleMagic {
		return preamble{}, errNotPerflab
	}
	if b[4] != protocolVersion {
		return preamble{}, fmt.Errorf("protocol version %d, this perflab speaks %d", b[4], protocolVersion)
	}
	return preamble{
		kind:    connKind(b[5]),
		role:    role(b[6]),
		stream:  binary.BigEndian.Uint16(b[7:9]),
		session: binary.BigEndian.Uint64(b[9:17]),
	}, nil
}

// request opens a test session.
type request struct {
	Spec  Spec   `json:"spec"`
	Token string `json:"token,omitempty"`
}

// hello accepts (Session set) or refuses (Error set) a request.
type hello struct {
	Session uint64 `json:"session,omitempty"`
	UDPPort int    `json:"udpPort,omitempty"`
	Error   string `json:"error,omitempty"`
}

// done tells the server the client has finished sending.
type done struct {
	UDPSent []uint64 `json:"udpSent,omitempty"` // datagrams sent per stream
}

// streamReport is the server's view of one data connection.
type streamReport struct {
	Stream  int           `json:"stream"`
	Role    role          `json:"role"`
	Bytes   int64         `json:"bytes"`
	Elapsed time.Duration `json:"elapsed"` // first to last byte (receive) or sending time (send)
	TCP     TCPStats      `json:"tcp"`
}

// udpReport is what the server's UDP receiver saw of one stream.
type udpReport struct {
	Received   uint64        `json:"received"`
	Bytes      int64         `json:"bytes"`
	OutOfOrder uint64        `json:"outOfOrder"`
	Jitter     time.Duration `json:"jitter"` // RFC 3550 interarrival jitter
}

// report closes a session with the server's measurements.
type report struct {
	Error       string         `json:"error,omitempty"`
	CPU         time.Duration  `json:"cpu"` // server process CPU during the session
	Streams     []streamReport `json:"streams,omitempty"`
	UDP         []udpReport    `json:"udp,omitempty"`
	Connections uint64         `json:"connections,omitempty"`
}

// UDP datagrams start with this header; the rest is padding.
//
//	session (8) | stream (4) | seq (8) | send time, unix ns (8)
const udpHeaderLen = 28

type udpHeader struct {
	session uint64
	stream  uint32
	seq     uint64
	sent    int64
}

func (h udpHeader) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:8], h.session)
	binary.BigEndian.PutUint32(b[8:12], h.stream)
	binary.BigEndian.PutUint64(b[12:20], h.seq)
	binary.BigEndian.PutUint64(b[20:28], uint64(h.sent))
}

func parseUDPHeader(b []byte) (udpHeader, bool) {
	if len(b) < udpHeaderLen {
		return udpHeader{}, false
	}
	return udpHeader{
		session: binary.BigEndian.Uint64(b[0:8]),
		stream:  binary.BigEndian.Uint32(b[8:12]),
		seq:     binary.BigEndian.Uint64(b[12:20]),
		sent:    int64(binary.BigEndian.Uint64(b[20:28])),
	}, true
}
