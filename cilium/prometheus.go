package cilium

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// pressureQueries are the PromQL expressions FetchPrometheus asks for, one
// series per map (the fullest node wins).
var pressureQueries = map[string]string{
	MetricMapPressure: `max by (map_name) (` + MetricMapPressure + `)`,
	MetricMapCapacity: `max by (map_group) (` + MetricMapCapacity + `)`,
	MetricMapOps:      `sum by (map_name, operation, outcome) (` + MetricMapOps + `{outcome="fail"})`,
	MetricDrops:       `sum by (reason) (` + MetricDrops + `)`,
}

// FetchPrometheus reads samples from a URL: an agent's /metrics endpoint
// (exposition) when the path ends in /metrics, else a Prometheus server's
// query API.
func FetchPrometheus(ctx context.Context, base string) ([]Sample, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("--prometheus %q: want http(s)://host:port[/metrics]", base)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if strings.HasSuffix(u.Path, "/metrics") {
		body, err := get(ctx, client, u.String())
		if err != nil {
			return nil, err
		}
		return ParseMetrics(bytes.NewReader(body), u.String())
	}
	var out []Sample
	for name, q := range pressureQueries {
		qu := *u
		qu.Path = strings.TrimSuffix(qu.Path, "/") + "/api/v1/query"
		qu.RawQuery = url.Values{"query": {q}}.Encode()
		body, err := get(ctx, client, qu.String())
		if err != nil {
			return nil, err
		}
		var resp struct {
			Status string `json:"status"`
			Error  string `json:"error"`
			Data   struct {
				ResultType string `json:"resultType"`
				Result     []struct {
					Metric map[string]string `json:"metric"`
					Value  [2]any            `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return nil, fmt.Errorf("prometheus %s: %w", qu.Path, err)
		}
		if resp.Status != "success" {
			return nil, fmt.Errorf("prometheus query %q: %s", q, resp.Error)
		}
		for _, r := range resp.Data.Result {
			text, _ := r.Value[1].(string)
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				v = math.NaN()
			}
			out = append(out, Sample{Name: name, Labels: r.Metric, Value: v, Text: text})
		}
	}
	return out, nil
}

func get(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, nil
}
