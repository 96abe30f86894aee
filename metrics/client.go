package metrics

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Endpoint is a Prometheus server to query, as in kube-burner's
// metricsEndpoints (endpoint, token, username/password, skipTLSVerify).
type Endpoint struct {
	URL           string
	Token         string
	Username      string
	Password      string
	SkipTLSVerify bool
}

// ErrUnreachable wraps failures to talk to the Prometheus server at all (as
// opposed to a query the server rejected).
var ErrUnreachable = errors.New("prometheus unreachable")

// QueryError is a query the server rejected (bad PromQL, bad range ...).
type QueryError struct {
	Query string
	Msg   string
}

func (e *QueryError) Error() string { return fmt.Sprintf("query %q: %s", e.Query, e.Msg) }

// Client queries one Prometheus server.
type Client struct {
	url string
	api v1.API
}

// NewClient validates e and builds a client; it does not contact the server.
func NewClient(e Endpoint) (*Client, error) {
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus endpoint %q: want http(s)://host:port", e.URL)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	if e.SkipTLSVerify {
		base.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // user asked for it
	}
	rt := http.RoundTripper(base)
	if e.Token != "" || e.Username != "" {
		rt = &authRoundTripper{token: e.Token, user: e.Username, pass: e.Password, next: base}
	}
	c, err := api.NewClient(api.Config{Address: strings.TrimRight(e.URL, "/"), RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus endpoint %q: %w", e.URL, err)
	}
	return &Client{url: e.URL, api: v1.NewAPI(c)}, nil
}

// URL is the server's address.
func (c *Client) URL() string { return c.url }

// Query runs an instant query at t.
func (c *Client) Query(ctx context.Context, query string, t time.Time) (model.Value, error) {
	v, _, err := c.api.Query(ctx, query, t)
	return v, c.wrap(query, err)
}

// QueryRange runs a range query over [start, end] at step.
func (c *Client) QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration) (model.Value, error) {
	v, _, err := c.api.QueryRange(ctx, query, v1.Range{Start: start, End: end, Step: step})
	return v, c.wrap(query, err)
}

// Ping checks that the server answers its API.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.api.Buildinfo(ctx)
	if err != nil {
		var apiErr *v1.Error
		if errors.As(err, &apiErr) && apiErr.Type != v1.ErrClient && apiErr.Type != v1.ErrServer {
			return nil // the server answered
		}
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.url, err)
	}
	return nil
}

// ActiveTargets returns the scrape targets' health (up/down/unknown) by
// scrape URL.
func (c *Client) ActiveTargets(ctx context.Context) (map[string]string, error) {
	r, err := c.api.Targets(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %v", ErrUnreachable, c.url, err)
	}
	out := map[string]string{}
	for _, t := range r.Active {
		out[t.ScrapeURL] = string(t.Health)
	}
	return out, nil
}

// wrap sorts an API error into QueryError (the server judged the query) or
// ErrUnreachable (no answer).
func (c *Client) wrap(query string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *v1.Error
	if errors.As(err, &apiErr) && (apiErr.Type == v1.ErrBadData || apiErr.Type == v1.ErrExec) {
		return &QueryError{Query: query, Msg: apiErr.Msg}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("query %q: %w", query, err)
	}
	return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.url, err)
}

// authRoundTripper adds a bearer token or basic auth to every request.
type authRoundTripper struct {
	token, user, pass string
	next              http.RoundTripper
}

func (a *authRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if a.token != "" {
		r.Header.Set("Authorization", "Bearer "+a.token)
	} else {
		r.SetBasicAuth(a.user, a.pass)
	}
	return a.next.RoundTrip(r)
}
