package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/progress"
)

// DefaultAddr is where the view listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8080"

// ErrNeedToken is returned for a non-loopback address without a token.
var ErrNeedToken = errors.New("a non-loopback address needs a token (--token, or let perflab generate one)")

// Options configure a Server.
type Options struct {
	// Addr is host:port to listen on; DefaultAddr when empty. Port 0 picks
	// a free port.
	Addr string
	// Token, when set, is required of every request (cookie, bearer header,
	// or ?token= once, which sets the cookie). Required off loopback.
	Token string
	// Config reaches the cluster to show.
	Config *rest.Config
	// Interval is the most often a page gets a new view (1s by default).
	Interval time.Duration
	// Limits bound each view.
	Limits Limits
	// Run, when true, shows a run's progress chart (fed by TrackJob).
	Run bool
}

// Server is a running live view.
type Server struct {
	o     Options
	model *Model
	run   runTracker
	api   apiSampler
	views viewCache
	ln    net.Listener
	srv   *http.Server
}

// New validates o and prepares a server; Start runs it.
func New(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Config == nil {
		return nil, errors.New("ui: no cluster configuration")
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: %w", o.Addr, err)
	}
	if !isLoopback(host) && o.Token == "" {
		return nil, fmt.Errorf("--addr %s: %w", o.Addr, ErrNeedToken)
	}
	return &Server{o: o, model: NewModel(), api: apiSampler{cfg: o.Config}}, nil
}

// Model is the model the server shows (for tests and benchmarks).
func (s *Server) Model() *Model { return s.model }

// TrackJob makes r the run's current job; burner calls it as each job
// starts (burner.Options.OnJobStart).
func (s *Server) TrackJob(r *progress.Reporter) { s.run.track(r) }

// Start listens, syncs the informers and serves until ctx ends. It returns
// the page's URL (without the token) once the first view is complete.
func (s *Server) Start(ctx context.Context) (string, error) {
	cs, err := kubernetes.NewForConfig(s.o.Config)
	if err != nil {
		return "", fmt.Errorf("ui: client: %w", err)
	}
	ln, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return "", fmt.Errorf("ui: listen on %s: %w", s.o.Addr, err)
	}
	s.ln = ln
	if err := watch(ctx, cs, s.model); err != nil {
		ln.Close()
		return "", fmt.Errorf("ui: %w", err)
	}
	go pollUsage(ctx, cs.Discovery().RESTClient(), s.model, 5*time.Second)
	go s.api.sample(ctx, 2*time.Second)
	if s.o.Run {
		go s.run.sample(ctx, time.Second)
	}
	s.srv = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("ui server", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(shut)
	}()
	return "http://" + ln.Addr().String() + "/", nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewToken returns a random token for a view served off loopback.
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("ui: token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// NeedsToken reports whether addr is off loopback (and so must be protected
// by a token).
func NeedsToken(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("--addr %q: %w", addr, err)
	}
	return !isLoopback(host), nil
}
