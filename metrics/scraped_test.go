package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// scrapes answers min(timestamp(up)) with its answers in turn, then the
// last one forever (a fake for the pure logic of WaitScraped).
type scrapes struct {
	answers []any // model.Value or error
	asked   int
}

func (s *scrapes) Query(context.Context, string, time.Time) (model.Value, error) {
	a := s.answers[min(s.asked, len(s.answers)-1)]
	s.asked++
	if err, ok := a.(error); ok {
		return nil, err
	}
	return a.(model.Value), nil
}

func TestWaitScraped(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_123)
	up := func(ms int64) model.Value {
		return model.Vector{{Value: model.SampleValue(float64(ms) / 1000)}}
	}
	down := errors.New("connection refused")
	tests := []struct {
		name    string
		answers []any
		asked   int
		wantErr string
	}{
		{"scraped at t", []any{up(at.UnixMilli())}, 1, ""},
		{"scraped after t", []any{up(at.UnixMilli() + 5000)}, 1, ""},
		{"older, then at t", []any{up(at.UnixMilli() - 1), up(at.UnixMilli())}, 2, ""},
		{"not answering, then scraped", []any{down, model.Vector{}, up(at.UnixMilli())}, 3, ""},
		{"one millisecond short", []any{up(at.UnixMilli() - 1)}, 0, "no scrape of every target"},
		{"never answers", []any{down}, 0, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*scrapePoll)
			defer cancel()
			q := &scrapes{answers: tt.answers}
			err := WaitScraped(ctx, q, at)
			if tt.wantErr == "" {
				if err != nil || q.asked != tt.asked {
					t.Fatalf("WaitScraped() = %v after %d queries, want nil after %d", err, q.asked, tt.asked)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("WaitScraped() = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}
