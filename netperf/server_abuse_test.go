package netperf

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// startServerWith runs a server on 127.0.0.1 with o (Bind and Port set here).
func startServerWith(t *testing.T, o ServerOptions) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	o.Bind, o.Port = "127.0.0.1", 0
	srv, err := NewServer(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv
}

// openSession opens a session as a client would and returns the server's
// hello and the control connection (closed at the end of the test).
func openSession(t *testing.T, srv *Server, spec Spec, token string) (hello, net.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write(preamble{kind: kindControl}.marshal(nil)); err != nil {
		t.Fatal(err)
	}
	cc := newControlConn(c)
	if err := cc.write(request{Spec: spec, Token: token}); err != nil {
		t.Fatal(err)
	}
	var h hello
	if err := cc.read(&h, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return h, c
}

var bigUDPRR = Spec{Test: UDPRR, Params: Params{Duration: 10 * time.Second, RequestSize: 1, ResponseSize: maxUDPSize}}

// udpExchange sends a 28-byte request for session from a UDP socket bound
// to src and returns the bytes that came back within wait.
func udpExchange(t *testing.T, src string, port int, session uint64, wait time.Duration) (sent, got int) {
	t.Helper()
	u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(src)})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	req := make([]byte, udpHeaderLen)
	udpHeader{session: session, seq: 1, sent: time.Now().UnixNano()}.put(req)
	if sent, err = u.WriteToUDP(req, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<16)
	_ = u.SetReadDeadline(time.Now().Add(wait))
	for {
		n, _, err := u.ReadFromUDP(buf)
		if err != nil {
			return sent, got
		}
		got += n
	}
}

// TestUDPRepliesOnlyToPeer: a UDP_RR request carrying a live session's id
// from another address (127.0.0.2, loopback too) gets nothing; the same
// request from the session's own address gets its response. The log line
// is the amplification figure of docs/netperf.md.
func TestUDPRepliesOnlyToPeer(t *testing.T) {
	srv := startServerWith(t, ServerOptions{})
	h, _ := openSession(t, srv, bigUDPRR, "")
	if h.Error != "" {
		t.Fatal(h.Error)
	}
	sent, got := udpExchange(t, "127.0.0.2", h.UDPPort, h.Session, 300*time.Millisecond)
	t.Logf("spoofed source 127.0.0.2: %d bytes sent, %d bytes back (amplification %.0fx)", sent, got, float64(got)/float64(sent))
	if got != 0 {
		t.Errorf("a request from another address got %d bytes", got)
	}
	sent, got = udpExchange(t, "127.0.0.1", h.UDPPort, h.Session, time.Second)
	if got != maxUDPSize {
		t.Errorf("the session's own address got %d bytes for %d, want %d", got, sent, maxUDPSize)
	}
	if _, got := udpExchange(t, "127.0.0.1", h.UDPPort, h.Session^2, 300*time.Millisecond); got != 0 {
		t.Errorf("a wrong session id got %d bytes", got)
	}
}

// TestDataConnOnlyFromPeer: a data connection for a live session from
// another address is closed at once.
func TestDataConnOnlyFromPeer(t *testing.T) {
	srv := startServerWith(t, ServerOptions{})
	h, _ := openSession(t, srv, Spec{Test: TCPRR, Params: Params{Duration: 10 * time.Second}}, "")
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	c, err := d.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(preamble{kind: kindData, role: roleEcho, session: h.Session}.marshal(nil)); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte{1})
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var b [1]byte
	if _, err := c.Read(b[:]); !errors.Is(err, io.EOF) && !strings.Contains(errString(err), "reset") {
		t.Errorf("data connection from 127.0.0.2: read = %v, want closed", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestServerAdmission: the token, the session cap and the idle timeout.
func TestServerAdmission(t *testing.T) {
	rr := Spec{Test: TCPRR, Params: Params{Duration: 10 * time.Second}}
	t.Run("token", func(t *testing.T) {
		srv := startServerWith(t, ServerOptions{Token: "s3cret"})
		for _, tc := range []struct{ token, want string }{{"", "needs --token"}, {"wrong", "needs --token"}, {"s3cret", ""}} {
			h, _ := openSession(t, srv, rr, tc.token)
			if !strings.Contains(h.Error, tc.want) || (tc.want == "" && (h.Error != "" || h.Session == 0)) {
				t.Errorf("token %q: hello %+v, want error %q", tc.token, h, tc.want)
			}
		}
	})
	t.Run("session cap", func(t *testing.T) {
		srv := startServerWith(t, ServerOptions{MaxSessions: 2})
		var errs []string
		for range 3 {
			h, _ := openSession(t, srv, rr, "")
			errs = append(errs, h.Error)
		}
		if errs[0] != "" || errs[1] != "" || !strings.Contains(errs[2], "server busy: 2 sessions open") {
			t.Errorf("hellos %q, want two sessions and a refusal", errs)
		}
	})
	t.Run("idle", func(t *testing.T) {
		srv := startServerWith(t, ServerOptions{IdleTimeout: 300 * time.Millisecond})
		h, c := openSession(t, srv, rr, "")
		if h.Error != "" {
			t.Fatal(h.Error)
		}
		start := time.Now()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var b [1]byte
		if _, err := c.Read(b[:]); !errors.Is(err, io.EOF) {
			t.Fatalf("idle session: read = %v, want the server to close it", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("idle session closed after %v", took)
		}
	})
	t.Run("unguessable ids", func(t *testing.T) {
		seen := map[uint64]bool{}
		for range 1000 {
			id, err := newSessionID()
			if err != nil || id == 0 || seen[id] {
				t.Fatalf("id %d (%v) repeats or is zero", id, err)
			}
			seen[id] = true
		}
	})
}
