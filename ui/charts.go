package ui

import (
	"sync"
	"time"

	"github.com/perflab/perflab/progress"
)

// historyLen is how many samples a chart keeps (10 minutes at 2s).
const historyLen = 300

// Charts are the live charts of a view.
type Charts struct {
	// Run is the run's current job and its samples [unix ms, done, rate/s,
	// ready]; absent when the view was not started with a run.
	Run *RunChart `json:"run,omitempty"`
	// API is the API server's request rate and latency, samples [unix ms,
	// requests/s, p50 ms, p99 ms] (watches excluded from latency).
	API *APIChart `json:"api,omitempty"`
}

// RunChart is a run's progress.
type RunChart struct {
	Job    progress.Snapshot `json:"job"`
	Jobs   int               `json:"jobs"` // jobs started so far
	Points [][4]float64      `json:"points"`
}

// APIChart is the API server's request rate and latency.
type APIChart struct {
	Error  string       `json:"error,omitempty"`
	Points [][4]float64 `json:"points"`
}

// history is a bounded list of samples, safe for concurrent use.
type history struct {
	mu     sync.Mutex
	points [][4]float64
}

func (h *history) add(p [4]float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.points) == historyLen {
		copy(h.points, h.points[1:])
		h.points = h.points[:historyLen-1]
	}
	h.points = append(h.points, p)
}

func (h *history) get() [][4]float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append(make([][4]float64, 0, len(h.points)), h.points...)
}

func unixMilli(t time.Time) float64 { return float64(t.UnixMilli()) }
