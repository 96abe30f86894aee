package tap

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// eventCounter counts the events of a watch response stream as it passes:
// newline-terminated JSON objects, or the 4-byte length-prefixed frames of
// the protobuf watch stream; for any other encoding each write (the
// API server flushes once per event) counts as one.
type eventCounter struct {
	mode int
	n    int64
	hdr  [4]byte
	hdrN int    // header bytes seen of the current frame
	left uint32 // body bytes left of the current frame
}

const (
	countChunks = iota
	countLines
	countFrames
)

func newEventCounter(contentType string) *eventCounter {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "protobuf"):
		return &eventCounter{mode: countFrames}
	case strings.Contains(ct, "json"):
		return &eventCounter{mode: countLines}
	}
	return &eventCounter{mode: countChunks}
}

func (c *eventCounter) write(p []byte) {
	switch c.mode {
	case countLines:
		c.n += int64(bytes.Count(p, []byte{'\n'}))
	case countFrames:
		c.frames(p)
	default:
		if len(p) > 0 {
			c.n++
		}
	}
}

func (c *eventCounter) frames(p []byte) {
	for len(p) > 0 {
		if c.left > 0 {
			k := min(uint32(len(p)), c.left)
			c.left -= k
			p = p[k:]
			continue
		}
		k := copy(c.hdr[c.hdrN:], p)
		c.hdrN += k
		p = p[k:]
		if c.hdrN == 4 {
			c.hdrN = 0
			c.left = binary.BigEndian.Uint32(c.hdr[:])
			c.n++
		}
	}
}
