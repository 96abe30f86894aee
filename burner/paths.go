package burner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// fetchTimeout bounds the download of a file a config names by URL.
const fetchTimeout = time.Minute

// maxFetchSize bounds a downloaded file.
const maxFetchSize = 16 << 20

// files reads the files a config names (object templates, function
// templates), once each.
type files struct {
	mu    sync.Mutex
	cache map[string][]byte
}

// isURL tells a location kube-burner fetches over HTTP.
func isURL(p string) bool {
	u, err := url.Parse(p)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// Resolve finds a file the config names, by kube-burner's rule first: a
// relative path is relative to the working directory; when no such file is
// there, it is tried relative to the config file's directory (perflab's
// rule, so a config runs from anywhere). Which one was used is logged at
// debug level. Absolute paths and URLs are returned as they are.
func (s *Spec) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || isURL(p) {
		return p
	}
	if _, err := os.Stat(p); err == nil {
		slog.Debug("file found relative to the working directory", "file", p)
		return p
	}
	if s.Dir == "" {
		return p
	}
	alt := filepath.Join(s.Dir, p)
	slog.Debug("file not in the working directory; using the config's directory", "file", p, "path", alt)
	return alt
}

// TemplatePath is Resolve (kept for the callers that name it so).
func (s *Spec) TemplatePath(p string) string { return s.Resolve(p) }

// readFile reads the file the config names as p: a URL is fetched (as
// kube-burner does), a path resolved by Resolve. It returns the contents
// and where they came from.
func (s *Spec) readFile(p string) ([]byte, string, error) {
	where := s.Resolve(p)
	if s.files == nil {
		s.files = &files{}
	}
	s.files.mu.Lock()
	defer s.files.mu.Unlock()
	if b, ok := s.files.cache[where]; ok {
		return b, where, nil
	}
	var b []byte
	var err error
	if isURL(where) {
		b, err = fetch(where)
	} else {
		b, err = os.ReadFile(where)
	}
	if err != nil {
		return nil, where, err
	}
	if s.files.cache == nil {
		s.files.cache = map[string][]byte{}
	}
	s.files.cache[where] = b
	return b, where, nil
}

// fetch downloads a URL (status 200 only).
func fetch(u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if len(b) > maxFetchSize {
		return nil, fmt.Errorf("fetch %s: larger than %d MiB", u, maxFetchSize>>20)
	}
	return b, nil
}

// LoadTemplate reads and parses the object template the config names,
// with the config's function templates (global.functionTemplates) defined
// in it.
func (s *Spec) LoadTemplate(p string, inputVars map[string]any, allowMissing bool) (*ObjectTemplate, error) {
	b, where, err := s.readFile(p)
	if err != nil {
		return nil, err
	}
	t, err := ParseObjectTemplate(where, b, inputVars, allowMissing)
	if err != nil {
		return nil, err
	}
	for _, f := range s.Global.FunctionTemplates {
		fb, fwhere, err := s.readFile(f)
		if err != nil {
			return nil, fmt.Errorf("functionTemplates: %w", err)
		}
		if _, err := t.tmpl.New(filepath.Base(fwhere)).Parse(string(fb)); err != nil {
			return nil, templateError(fwhere, err)
		}
	}
	return t, nil
}
