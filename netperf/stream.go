package netperf

import (
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/perflab/perflab/progress"
)

// recvBufferSize is the read size of stream receivers: larger than the
// sender's writes, so one read drains what a wakeup brought.
const recvBufferSize = 256 << 10

// drainTimeout bounds how long a finished sender waits for its peer to close.
const drainTimeout = 30 * time.Second

// sendFor writes buf to c over and over for d, then half-closes c and waits
// for the peer to close its side. It returns the bytes written and the time
// spent writing. The loop does not allocate; prog, when not nil, counts
// the bits as they go.
func sendFor(c net.Conn, buf []byte, d time.Duration, prog *progress.Reporter) (int64, time.Duration, error) {
	start := time.Now()
	if err := c.SetWriteDeadline(start.Add(d)); err != nil {
		return 0, 0, err
	}
	var n int64
	for {
		w, err := c.Write(buf)
		n += int64(w)
		if prog != nil {
			prog.Add(8 * int64(w))
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			return n, time.Since(start), err
		}
	}
	elapsed := time.Since(start)
	_ = c.SetWriteDeadline(time.Time{})
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		if err := tc.CloseWrite(); err != nil {
			return n, elapsed, err
		}
	}
	// Wait for the peer's FIN so every byte counted here was also received.
	_ = c.SetReadDeadline(time.Now().Add(drainTimeout))
	var one [1]byte
	for {
		if _, err := c.Read(one[:]); err != nil {
			if err == io.EOF {
				return n, elapsed, nil
			}
			return n, elapsed, err
		}
	}
}

// receiveAll reads c until EOF and returns the byte count and the time from
// the first byte to EOF; prog, when not nil, counts the bits.
func receiveAll(c net.Conn, buf []byte, limit time.Duration, prog *progress.Reporter) (int64, time.Duration, error) {
	var n int64
	var first time.Time
	if err := c.SetReadDeadline(time.Now().Add(limit)); err != nil {
		return 0, 0, err
	}
	for {
		r, err := c.Read(buf)
		if r > 0 {
			if n == 0 {
				first = time.Now()
			}
			n += int64(r)
			if prog != nil {
				prog.Add(8 * int64(r))
			}
		}
		if err == io.EOF {
			if n == 0 {
				return 0, 0, nil
			}
			return n, time.Since(first), nil
		}
		if err != nil {
			return n, time.Since(first), err
		}
	}
}
