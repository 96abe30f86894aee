package tap

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Recorder writes Records as JSON lines from one goroutine. Record blocks
// when the buffer is full rather than drop a record; writes are flushed
// every second and on Close.
type Recorder struct {
	ch       chan Record
	done     chan struct{}
	observe  []func(Record)
	mu       sync.RWMutex
	closed   bool
	late     atomic.Int64
	written  int64
	writeErr error
}

// recorderBuffer is how many records may wait for the writer.
const recorderBuffer = 4096

// NewRecorder starts a Recorder writing to w (nil: write nothing) and
// handing every record to observe, in order, on the writer goroutine.
func NewRecorder(w io.Writer, observe ...func(Record)) *Recorder {
	r := &Recorder{ch: make(chan Record, recorderBuffer), done: make(chan struct{}), observe: observe}
	go r.run(w)
	return r
}

// Record queues one record. After Close it counts the record as late and
// drops it.
func (r *Recorder) Record(rec Record) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.late.Add(1)
		return
	}
	r.ch <- rec
}

// Close writes every queued record, flushes, and reports the first write
// error.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	r.mu.Unlock()
	<-r.done
	if n := r.late.Load(); n > 0 {
		slog.Warn("tap: records arrived after the recorder closed and were dropped", "records", n)
	}
	if r.writeErr != nil {
		return fmt.Errorf("write records: %w", r.writeErr)
	}
	return nil
}

// Written is how many records were written; valid after Close.
func (r *Recorder) Written() int64 { return r.written }

func (r *Recorder) run(w io.Writer) {
	defer close(r.done)
	var bw *bufio.Writer
	var enc *json.Encoder
	if w != nil {
		bw = bufio.NewWriterSize(w, 64<<10)
		enc = json.NewEncoder(bw)
	}
	flush := func() {
		if bw != nil && r.writeErr == nil {
			r.writeErr = bw.Flush()
		}
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case rec, ok := <-r.ch:
			if !ok {
				flush()
				return
			}
			if enc != nil && r.writeErr == nil {
				r.writeErr = enc.Encode(rec)
			}
			r.written++
			for _, f := range r.observe {
				f(rec)
			}
		case <-tick.C:
			flush()
		}
	}
}
