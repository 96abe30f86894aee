package tap

import (
	"encoding/binary"
	"testing"
)

func TestEventCounter(t *testing.T) {
	frame := func(n int) []byte {
		b := make([]byte, 4+n)
		binary.BigEndian.PutUint32(b, uint32(n))
		return b
	}
	var proto []byte
	for _, n := range []int{10, 0, 300, 1} {
		proto = append(proto, frame(n)...)
	}
	json := []byte("{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n{\"type\":\"DELETED\"}\n")
	tests := []struct {
		name, contentType string
		stream            []byte
		want              int64
	}{
		{"json", "application/json", json, 3},
		{"protobuf", "application/vnd.kubernetes.protobuf;stream=watch", proto, 4},
		{"other", "application/cbor-seq", json, -1}, // one per write
	}
	for _, tt := range tests {
		for _, size := range []int{1, 3, 7, 1000} {
			c := newEventCounter(tt.contentType)
			writes := 0
			for b := tt.stream; len(b) > 0; writes++ {
				k := min(size, len(b))
				c.write(b[:k])
				b = b[k:]
			}
			want := tt.want
			if want < 0 {
				want = int64(writes)
			}
			if c.n != want {
				t.Errorf("%s in writes of %d bytes: %d events, want %d", tt.name, size, c.n, want)
			}
		}
	}
}
