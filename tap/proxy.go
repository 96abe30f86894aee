package tap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
)

// Options configure a Tap.
type Options struct {
	// Target is the API server to forward to, with its credentials.
	Target *rest.Config
	// Listen is the loopback address to serve on (default 127.0.0.1:0, a
	// free port).
	Listen string
	// Recorder receives one Record per request.
	Recorder *Recorder
	// CheckTimeout bounds the start-up check that the target answers
	// (default 10s).
	CheckTimeout time.Duration
}

// Errors of New, for errors.Is.
var (
	ErrNoCredentials = errors.New("the target kubeconfig has no credentials (no token, client certificate, username/password, exec or auth-provider)")
	ErrUnreachable   = errors.New("target API server unreachable")
	ErrNotLoopback   = errors.New("the tap listens on loopback only")
	ErrPortInUse     = errors.New("port in use")
)

// Tap is a recording reverse proxy in front of one API server.
type Tap struct {
	o        Options
	ln       net.Listener
	creds    *credentials
	upstream *url.URL
	proxy    *httputil.ReverseProxy
	names    classifier
	inflight sync.WaitGroup
}

// New checks the target (credentials, reachability), listens on
// o.Listen and makes the tap's credentials. Serve starts serving.
func New(ctx context.Context, o Options) (*Tap, error) {
	if o.Target == nil || o.Recorder == nil {
		return nil, errors.New("tap: Target and Recorder are required")
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = 10 * time.Second
	}
	if !hasCredentials(o.Target) {
		return nil, fmt.Errorf("%w; the tap forwards with the target's credentials", ErrNoCredentials)
	}
	upstream, _, err := rest.DefaultServerUrlFor(o.Target)
	if err != nil {
		return nil, fmt.Errorf("target server %q: %w", o.Target.Host, err)
	}
	rt, err := newUpstreamTransport(o.Target)
	if err != nil {
		return nil, err
	}
	if err := checkTarget(ctx, rt, upstream, o.CheckTimeout); err != nil {
		return nil, err
	}
	creds, err := newCredentials()
	if err != nil {
		return nil, err
	}
	ln, err := listenLoopback(o.Listen)
	if err != nil {
		return nil, err
	}
	t := &Tap{o: o, ln: ln, creds: creds, upstream: upstream, names: newClassifier()}
	t.proxy = &httputil.ReverseProxy{
		Rewrite:       t.rewrite,
		Transport:     rt,
		FlushInterval: -1,
		ErrorHandler:  proxyError,
		ErrorLog:      slog.NewLogLogger(slog.Default().Handler(), slog.LevelDebug),
	}
	return t, nil
}

// Server is the tap's URL, https://127.0.0.1:PORT.
func (t *Tap) Server() string { return "https://" + t.ln.Addr().String() }

// Serve serves until ctx is done, then closes every connection and
// returns when every request in flight has been recorded.
func (t *Tap) Serve(ctx context.Context) error {
	srv := &http.Server{
		Handler:           t,
		TLSConfig:         t.creds.serverTLS(),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(t.ln, "", "") }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	// Watches never end by themselves: give short requests a moment, then
	// cut the rest.
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	_ = srv.Shutdown(sctx)
	cancel()
	_ = srv.Close()
	t.inflight.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (t *Tap) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(t.upstream)
	// The tap authenticates its clients by certificate and forwards with
	// the target's credentials only.
	pr.Out.Header.Del("Authorization")
}

// ServeHTTP forwards one request and records it, also when the stream is
// aborted (httputil.ReverseProxy panics with http.ErrAbortHandler then).
func (t *Tap) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	t.inflight.Add(1)
	defer t.inflight.Done()
	start := time.Now()
	rec := Record{Start: start, Source: SourceTap, Client: req.RemoteAddr, UserAgent: req.UserAgent()}
	t.names.classify(req, &rec)
	body := &countingBody{body: req.Body}
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = body
	}
	rw := &recordingWriter{ResponseWriter: w, start: start, watch: rec.Verb == "watch"}
	defer func() {
		p := recover()
		rec.Status, rec.FirstByte, rec.LastByte = rw.status, rw.firstByte, time.Since(start)
		rec.RequestBytes, rec.ResponseBytes = body.n.Load(), rw.bytes
		if c := rw.hijacked; c != nil {
			rec.RequestBytes += c.read.Load()
			rec.ResponseBytes += c.written.Load()
		}
		if rw.events != nil {
			rec.WatchEvents = rw.events.n
		}
		rec.Error = rw.err
		if p != nil && req.Context().Err() == nil && rec.Error == "" {
			rec.Error = "response stream aborted by the API server"
		}
		t.o.Recorder.Record(rec)
		if p != nil {
			panic(p)
		}
	}()
	t.proxy.ServeHTTP(rw, req)
}

// proxyError answers a request the target did not, as a Kubernetes Status.
func proxyError(w http.ResponseWriter, req *http.Request, err error) {
	rw, _ := w.(*recordingWriter)
	if rw != nil {
		rw.err = err.Error()
	}
	if req.Context().Err() != nil {
		return // the client went away; nobody to answer
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadGateway)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"ServiceUnavailable","code":502,"message":%q}`+"\n",
		"perflab tap: "+err.Error())
}

func hasCredentials(c *rest.Config) bool {
	return c.BearerToken != "" || c.BearerTokenFile != "" || c.Username != "" ||
		(len(c.CertData) > 0 || c.CertFile != "") && (len(c.KeyData) > 0 || c.KeyFile != "") ||
		c.ExecProvider != nil || c.AuthProvider != nil || c.Transport != nil || c.WrapTransport != nil
}

// newUpstreamTransport is client-go's transport for the target, with a
// second, HTTP/1.1-only one for upgrade requests (exec, port-forward),
// which cannot travel over HTTP/2.
func newUpstreamTransport(c *rest.Config) (http.RoundTripper, error) {
	h2, err := rest.TransportFor(c)
	if err != nil {
		return nil, fmt.Errorf("target transport: %w", err)
	}
	c1 := rest.CopyConfig(c)
	c1.NextProtos = []string{"http/1.1"}
	h1, err := rest.TransportFor(c1)
	if err != nil {
		return nil, fmt.Errorf("target transport: %w", err)
	}
	return upgradeAware{h2: h2, h1: h1}, nil
}

type upgradeAware struct{ h2, h1 http.RoundTripper }

func (u upgradeAware) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Upgrade") != "" {
		return u.h1.RoundTrip(req)
	}
	return u.h2.RoundTrip(req)
}

// checkTarget asks the target for /version: any HTTP answer but 401 means
// it is there and takes the credentials.
func checkTarget(ctx context.Context, rt http.RoundTripper, upstream *url.URL, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := upstream.JoinPath("version")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, upstream, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%s rejected the target kubeconfig's credentials (401 Unauthorized)", upstream)
	}
	return nil
}

// listenLoopback listens on addr, which must be a loopback address.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8001", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--listen %s: %w (127.0.0.1 or ::1)", addr, ErrNotLoopback)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("--listen %s: %w (another process listens there; pick another port or :0)", addr, ErrPortInUse)
		}
		return nil, fmt.Errorf("--listen %s: %w", addr, err)
	}
	return ln, nil
}
