package netperf

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// ServerOptions configure a Server.
type ServerOptions struct {
	Bind      string    // address to listen on; "" = 127.0.0.1
	Port      int       // TCP and UDP port; 0 = any free port (tests)
	Namespace Namespace // create the sockets in this network namespace; nil = current
	// Token, when set, must be presented by every client (--token).
	Token string
	// MaxSessions bounds the sessions open at once (default 16).
	MaxSessions int
	// IdleTimeout ends a session with no open data connection and no
	// datagram from its peer for this long (default 30s).
	IdleTimeout time.Duration
}

// TokenEnv passes a token to `perflab netperf server` and `run` without
// showing it in the process list.
const TokenEnv = "PERFLAB_NETPERF_TOKEN"

// NewToken draws a random token (128 bits, hex).
func NewToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// Server defaults.
const (
	DefaultMaxSessions = 16
	DefaultIdleTimeout = 30 * time.Second
)

// Server answers perflab netperf clients on one TCP port (control and data
// connections) and the UDP port of the same number.
type Server struct {
	ln  net.Listener
	udp *net.UDPConn
	o   ServerOptions

	udpBusy sync.Mutex // one UDP test at a time owns the UDP socket
	mu      sync.Mutex
	active  map[uint64]*session
}

// NewServer opens the server's sockets. Call Serve to answer clients.
func NewServer(ctx context.Context, o ServerOptions) (*Server, error) {
	if o.Bind == "" {
		o.Bind = "127.0.0.1"
	}
	if o.Port < 0 || o.Port > 65535 {
		return nil, fmt.Errorf("%w: --port %d: want 0..65535", ErrBadInput, o.Port)
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if ip, err := netip.ParseAddr(o.Bind); o.Token == "" && (err != nil || !ip.IsLoopback()) {
		slog.Warn("the server is reachable beyond loopback without --token: anyone who reaches it can run tests", "bind", o.Bind)
	}
	s := &Server{o: o, active: map[uint64]*session{}}
	err := inNamespace(o.Namespace, func() error {
		var err error
		for try := 0; try < 20; try++ { // with port 0, find a port free for both TCP and UDP
			s.ln, err = (&net.ListenConfig{}).Listen(ctx, "tcp", net.JoinHostPort(o.Bind, strconv.Itoa(o.Port)))
			if err != nil {
				return fmt.Errorf("listen tcp %s:%d: %w", o.Bind, o.Port, err)
			}
			port := s.ln.Addr().(*net.TCPAddr).Port
			var pc net.PacketConn
			pc, err = (&net.ListenConfig{}).ListenPacket(ctx, "udp", net.JoinHostPort(o.Bind, strconv.Itoa(port)))
			if err == nil {
				s.udp = pc.(*net.UDPConn)
				if err := setRecvBuffer(s.udp, serverUDPBuffer); err != nil {
					slog.Warn("UDP receive buffer", "err", err)
				}
				return nil
			}
			s.ln.Close()
			if o.Port != 0 {
				break
			}
		}
		return fmt.Errorf("listen udp %s:%d: %w", o.Bind, o.Port, err)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Addr is the server's TCP address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve accepts connections until ctx is done, then closes the server's
// sockets and every session.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.ln.Close(); s.udp.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.udp.Close()
			return fmt.Errorf("accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.handleConn(ctx, c)
		}()
	}
}

// Close closes the server's sockets; Serve returns.
func (s *Server) Close() error {
	s.udp.Close()
	return s.ln.Close()
}

func (s *Server) handleConn(ctx context.Context, c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	stop := context.AfterFunc(ctx, func() { c.Close() })
	p, err := readPreamble(c)
	stop()
	if err != nil {
		slog.Debug("dropping connection", "remote", c.RemoteAddr(), "err", err)
		c.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	switch p.kind {
	case kindControl:
		s.control(ctx, c)
	case kindData:
		s.mu.Lock()
		ss := s.active[p.session]
		s.mu.Unlock()
		if ss == nil || !ss.data(c, p) {
			c.Close()
		}
	default:
		c.Close()
	}
}

func (s *Server) control(ctx context.Context, c net.Conn) {
	defer c.Close()
	cc := newControlConn(c)
	var req request
	if err := cc.read(&req, 10*time.Second); err != nil {
		slog.Debug("bad control request", "remote", c.RemoteAddr(), "err", err)
		return
	}
	if s.o.Token != "" && subtle.ConstantTimeCompare([]byte(req.Token), []byte(s.o.Token)) != 1 {
		slog.Warn("refused a client without the server's token", "remote", c.RemoteAddr())
		_ = cc.write(hello{Error: "this server needs --token (the one it was started with)"})
		return
	}
	spec := req.Spec
	if err := spec.Params.Validate(spec.Test); err != nil {
		_ = cc.write(hello{Error: err.Error()})
		return
	}
	peer, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return
	}
	udp := tests[spec.Test].udp
	release := func() {}
	if udp {
		if !s.udpBusy.TryLock() {
			_ = cc.write(hello{Error: "server busy: another UDP test is running"})
			return
		}
		var once sync.Once
		release = func() { once.Do(s.udpBusy.Unlock) }
		defer release()
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(sctx, func() { c.Close() })
	defer stop()
	id, err := newSessionID()
	if err != nil {
		_ = cc.write(hello{Error: err.Error()})
		return
	}
	ss := newSession(sctx, id, spec, peer.Addr())
	s.mu.Lock()
	if len(s.active) >= s.o.MaxSessions {
		s.mu.Unlock()
		_ = cc.write(hello{Error: fmt.Sprintf("server busy: %d sessions open", s.o.MaxSessions)})
		return
	}
	s.active[ss.id] = ss
	s.mu.Unlock()
	go s.closeIdle(sctx, ss, cancel)
	defer func() {
		s.mu.Lock()
		delete(s.active, ss.id)
		s.mu.Unlock()
	}()
	slog.Info("test started", "test", spec.Test, "remote", c.RemoteAddr())
	var udpStop func()
	if udp {
		udpStop = ss.startUDP(s.udp)
	}
	if err := cc.write(hello{Session: ss.id, UDPPort: s.udp.LocalAddr().(*net.UDPAddr).Port}); err != nil {
		ss.abort(udpStop)
		return
	}
	var d done
	if err := cc.read(&d, spec.Duration+2*time.Minute); err != nil {
		slog.Warn("client went away or idle", "remote", c.RemoteAddr(), "err", err)
		ss.abort(udpStop)
		return
	}
	rep := ss.finish(udpStop, d)
	release() // before the report, so the client's next UDP test finds the socket free
	if err := cc.write(rep); err != nil {
		slog.Warn("send report", "remote", c.RemoteAddr(), "err", err)
	}
	slog.Info("test finished", "test", spec.Test, "remote", c.RemoteAddr())
}

// closeIdle ends the session (cancel closes its control connection) once it
// has been idle for the server's IdleTimeout.
func (s *Server) closeIdle(ctx context.Context, ss *session, cancel context.CancelFunc) {
	t := time.NewTicker(min(time.Second, s.o.IdleTimeout/4))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if ss.idleFor(now) > s.o.IdleTimeout {
				slog.Warn("closing an idle session", "peer", ss.peer, "idle", s.o.IdleTimeout)
				cancel()
				return
			}
		}
	}
}
