package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/rest"
)

// acceptText asks for the classic text exposition format, which every
// Kubernetes component and Prometheus exporter serves.
const acceptText = "text/plain;version=0.0.4;q=1,*/*;q=0.1"

// maxScrapeBytes bounds a /metrics body (an apiserver under load exposes a
// few MiB).
const maxScrapeBytes = 256 << 20

// Target is one /metrics endpoint to scrape.
type Target struct {
	// URL of the endpoint, e.g. https://127.0.0.1:6443/metrics.
	URL string
	// Client carries the transport (TLS, auth); nil means http.DefaultClient.
	Client *http.Client
	// Labels are added to every series scraped from this target (e.g.
	// instance, job) so that several targets can share a Snapshot.
	Labels Labels
}

// RESTTarget returns a target for path (default /metrics) on the API server
// of cfg, using cfg's TLS and credentials.
func RESTTarget(cfg *rest.Config, path string) (Target, error) {
	if path == "" {
		path = "/metrics"
	}
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return Target{}, fmt.Errorf("metrics: client for %s: %w", cfg.Host, err)
	}
	return Target{URL: cfg.Host + path, Client: client}, nil
}

// Scrape reads every target once and returns their series in one Snapshot
// stamped with the time the last scrape finished.
func Scrape(ctx context.Context, targets ...Target) (*Snapshot, error) {
	s := &Snapshot{Families: map[string]*Family{}}
	for _, t := range targets {
		fams, err := ScrapeFamilies(ctx, t)
		if err != nil {
			return nil, err
		}
		s.add(fams, t.Labels)
	}
	s.Time = time.Now()
	return s, nil
}

// ScrapeFamilies reads one target and returns the parsed metric families.
func ScrapeFamilies(ctx context.Context, t Target) (map[string]*dto.MetricFamily, error) {
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", t.URL, err)
	}
	req.Header.Set("Accept", acceptText)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", t.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("scrape %s: HTTP %s: %s", t.URL, resp.Status, body)
	}
	fams, err := ParseText(io.LimitReader(resp.Body, maxScrapeBytes))
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", t.URL, err)
	}
	return fams, nil
}

// ParseText parses the Prometheus text exposition format. Metric names may
// use any UTF-8 characters, as Prometheus 3 allows.
func ParseText(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("parse exposition: %w", err)
	}
	if len(fams) == 0 {
		return nil, errors.New("parse exposition: no metrics")
	}
	return maps.Clone(fams), nil
}
