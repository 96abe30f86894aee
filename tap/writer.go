package tap

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// recordingWriter passes a response through to the client, noting its
// status, when the first byte went out, how many bytes, and (for a watch)
// how many events. It flushes after every write so streams are not held.
type recordingWriter struct {
	http.ResponseWriter
	start     time.Time
	status    int
	firstByte time.Duration
	bytes     int64
	events    *eventCounter // nil unless a watch
	watch     bool
	hijacked  *countingConn
	err       string // why the target did not answer
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.firstByte = time.Since(w.start)
		if w.watch {
			w.events = newEventCounter(w.Header().Get("Content-Type"))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	if w.events != nil {
		w.events.write(p[:n])
	}
	return n, err
}

// Flush is what httputil.ReverseProxy calls after each write.
func (w *recordingWriter) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands an upgraded connection (exec, port-forward) to the proxy,
// counting the bytes that pass both ways.
func (w *recordingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.status = http.StatusSwitchingProtocols
	w.firstByte = time.Since(w.start)
	w.hijacked = &countingConn{Conn: conn}
	return w.hijacked, brw, nil
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countingConn counts the bytes of an upgraded connection.
type countingConn struct {
	net.Conn
	read, written atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

// countingBody counts request body bytes.
// The transport may read it on its own goroutine.
type countingBody struct {
	body io.ReadCloser
	n    atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (b *countingBody) Close() error { return b.body.Close() }
