package ui

import (
	"crypto/subtle"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/perflab/perflab/internal/webassets"
)

//go:embed web
var webFS embed.FS

// serveAsset serves a fixed embedded file.
func serveAsset(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, body)
	}
}

const tokenCookie = "perflab_ui_token"

func (s *Server) handler() http.Handler {
	static, _ := fs.Sub(webFS, "web")
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /vendor/uPlot.iife.min.js", serveAsset("text/javascript; charset=utf-8",
		"/* uPlot, MIT licence: vendor/uPlot.LICENSE */\n"+webassets.UPlotJS()))
	mux.HandleFunc("GET /vendor/uPlot.min.css", serveAsset("text/css; charset=utf-8", webassets.UPlotCSS()))
	mux.HandleFunc("GET /vendor/uPlot.LICENSE", serveAsset("text/plain; charset=utf-8", webassets.UPlotLicense()))
	mux.HandleFunc("GET /api/view", s.serveView)
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	return s.guard(mux)
}

// guard checks the token (when set) or, on loopback without a token, that
// the Host header names loopback (a page on another site cannot reach the
// view through DNS rebinding); it also sets a strict content policy.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if s.o.Token == "" {
			host, _, err := net.SplitHostPort(r.Host)
			if err != nil {
				host = r.Host
			}
			if !isLoopback(strings.Trim(host, "[]")) {
				http.Error(w, "forbidden host", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query().Get("token"); q != "" && s.tokenOK(q) {
			// Trade the URL's token for a cookie and drop it from the address bar.
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: q, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			u := *r.URL
			qs := u.Query()
			qs.Del("token")
			u.RawQuery = qs.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && s.tokenOK(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && s.tokenOK(b) {
			next.ServeHTTP(w, r)
			return
		}
		http.Error(w, "unauthorized: open the URL with ?token=... as printed when the view started", http.StatusUnauthorized)
	})
}

func (s *Server) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.o.Token)) == 1
}

// filterOf reads ?ns= and ?selector=.
func filterOf(r *http.Request) (Filter, string, error) {
	q := r.URL.Query()
	f := Filter{Namespace: q.Get("ns")}
	sel := q.Get("selector")
	if sel != "" {
		s, err := labels.Parse(sel)
		if err != nil {
			return f, "", fmt.Errorf("selector %q: %w", sel, err)
		}
		f.Selector = s
	}
	return f, f.Namespace + "\x00" + sel, nil
}

func (s *Server) serveView(w http.ResponseWriter, r *http.Request) {
	f, key, err := filterOf(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.views.get(s.model, key, f, s.o.Limits))
}

// serveEvents streams "view" events when the model changed and "charts"
// events with the charts, at most once per interval each.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	f, key, err := filterOf(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	tick := time.NewTicker(s.o.Interval)
	defer tick.Stop()
	var sent uint64
	first := true
	for {
		if v := s.model.Version(); first || v != sent {
			body := s.views.get(s.model, key, f, s.o.Limits)
			if _, err := fmt.Fprintf(w, "event: view\ndata: %s\n\n", body); err != nil {
				return
			}
			sent, first = v, false
		}
		if err := s.writeCharts(w); err != nil {
			return
		}
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Server) writeCharts(w http.ResponseWriter) error {
	c := Charts{API: s.api.chart()}
	if s.o.Run {
		c.Run = s.run.chart()
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: charts\ndata: %s\n\n", b)
	return err
}

// viewCache shares one rendered view per filter and model version among
// every page showing it.
type viewCache struct {
	mu      sync.Mutex
	entries map[string]cachedView
}

type cachedView struct {
	version uint64
	body    []byte
}

func (c *viewCache) get(m *Model, key string, f Filter, l Limits) []byte {
	v := m.Version()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && e.version == v {
		return e.body
	}
	view := m.View(f, l)
	body, err := json.Marshal(view)
	if err != nil {
		body = []byte(`{}`)
	}
	if c.entries == nil || len(c.entries) > 64 {
		c.entries = map[string]cachedView{}
	}
	c.entries[key] = cachedView{version: view.Version, body: body}
	return body
}
