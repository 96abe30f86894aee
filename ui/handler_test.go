package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGuard(t *testing.T) {
	open, err := New(Options{Addr: "127.0.0.1:0", Config: testConfig()})
	if err != nil {
		t.Fatal(err)
	}
	locked, err := New(Options{Addr: "0.0.0.0:0", Token: "s3cret", Config: testConfig()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		s        *Server
		host     string
		target   string
		header   map[string]string
		want     int
		location string // for redirects
	}{
		{"loopback host", open, "127.0.0.1:8080", "/healthz", nil, 200, ""},
		{"localhost host", open, "localhost:8080", "/healthz", nil, 200, ""},
		{"rebinding host refused", open, "evil.example:8080", "/healthz", nil, 403, ""},
		{"no token", locked, "10.0.0.5:8080", "/healthz", nil, 401, ""},
		{"wrong token", locked, "10.0.0.5:8080", "/healthz?token=nope", nil, 401, ""},
		{"token in URL becomes a cookie", locked, "10.0.0.5:8080", "/?ns=a&token=s3cret", nil, 303, "/?ns=a"},
		{"cookie", locked, "10.0.0.5:8080", "/healthz", map[string]string{"Cookie": tokenCookie + "=s3cret"}, 200, ""},
		{"bearer", locked, "10.0.0.5:8080", "/healthz", map[string]string{"Authorization": "Bearer s3cret"}, 200, ""},
		{"bad selector", open, "127.0.0.1", "/api/view?selector=a%3D%3D%3Db", nil, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			r.Host = tc.host
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			tc.s.handler().ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, strings.TrimSpace(w.Body.String()))
			}
			if tc.location != "" {
				if got := w.Header().Get("Location"); got != tc.location {
					t.Errorf("Location %q, want %q", got, tc.location)
				}
				if c := w.Header().Get("Set-Cookie"); !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
					t.Errorf("Set-Cookie %q, want HttpOnly and SameSite=Strict", c)
				}
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

func TestPageIsEmbedded(t *testing.T) {
	s, err := New(Options{Addr: "127.0.0.1:0", Config: testConfig()})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/app.js", "/style.css"} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Host = "127.0.0.1"
		w := httptest.NewRecorder()
		s.handler().ServeHTTP(w, r)
		if w.Code != 200 || w.Body.Len() < 100 {
			t.Errorf("GET %s: status %d, %d bytes", path, w.Code, w.Body.Len())
		}
	}
}
