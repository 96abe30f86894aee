package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/common/model"
)

// Querier runs an instant PromQL query; *Client is one. Query must return
// when ctx is canceled.
type Querier interface {
	Query(ctx context.Context, query string, t time.Time) (model.Value, error)
}

// ScrapeWait bounds WaitScraped.
const ScrapeWait = time.Minute

// scrapePoll is how often WaitScraped asks.
const scrapePoll = 250 * time.Millisecond

// WaitScraped waits (at most ScrapeWait) until Prometheus holds a sample of
// every target taken at or after t, so that queries over a window ending at
// t see all of it. Query errors are retried (a Prometheus just started may
// not answer yet) and the last one is reported when the wait gives up.
func WaitScraped(ctx context.Context, q Querier, t time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, ScrapeWait)
	defer cancel()
	tick := time.NewTicker(scrapePoll)
	defer tick.Stop()
	var last error
	for {
		ok, err := scrapedSince(ctx, q, t)
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			err := fmt.Errorf("no scrape of every target at or after %s: %w", t.UTC().Format(time.RFC3339), context.Cause(ctx))
			if last != nil && !errors.Is(last, ctx.Err()) {
				err = fmt.Errorf("%w (last query error: %v)", err, last)
			}
			return err
		case <-tick.C:
		}
	}
}

// scrapedSince reports whether the oldest last scrape of any target (the
// timestamp of up, in seconds with millisecond precision) is at or after t.
func scrapedSince(ctx context.Context, q Querier, t time.Time) (bool, error) {
	v, err := q.Query(ctx, "min(timestamp(up))", time.Now())
	if err != nil {
		return false, err
	}
	vec, ok := v.(model.Vector)
	if !ok || len(vec) == 0 {
		return false, nil
	}
	return int64(math.Round(float64(vec[0].Value)*1000)) >= t.UnixMilli(), nil
}
