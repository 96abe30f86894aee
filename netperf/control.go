package netperf

import (
	"encoding/json"
	"fmt"
	"net"
	"time"
)

// controlConn carries newline-delimited JSON messages with per-message deadlines.
type controlConn struct {
	c   net.Conn
	dec *json.Decoder
	enc *json.Encoder
}

func newControlConn(c net.Conn) *controlConn {
	return &controlConn{c: c, dec: json.NewDecoder(c), enc: json.NewEncoder(c)}
}

func (cc *controlConn) read(v any, timeout time.Duration) error {
	if err := cc.c.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if err := cc.dec.Decode(v); err != nil {
		return fmt.Errorf("read %T: %w", v, err)
	}
	return nil
}

func (cc *controlConn) write(v any) error {
	if err := cc.c.SetWriteDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return err
	}
	if err := cc.enc.Encode(v); err != nil {
		return fmt.Errorf("write %T: %w", v, err)
	}
	return nil
}
