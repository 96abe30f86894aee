package tap

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"k8s.io/client-go/rest"
)

// SessionOptions configure a recording session.
type SessionOptions struct {
	Target *rest.Config
	Listen string // loopback host:port; default 127.0.0.1:0
	// Output is the calls.jsonl file written, created or truncated.
	Output string
	// Kubeconfig, when set, is written (0600) for clients to use and
	// removed by Close: its credentials die with the tap.
	Kubeconfig string
}

// Session is a serving Tap with its Recorder writing Output and its Stats.
type Session struct {
	Tap   *Tap
	Stats *Stats
	o     SessionOptions
	rec   *Recorder
	out   *os.File
	stop  context.CancelFunc
	done  chan error
	once  sync.Once
	err   error
}

// StartSession starts a tap serving in the background. On error nothing is
// left behind: no listener, no output file, no kubeconfig.
func StartSession(ctx context.Context, o SessionOptions) (_ *Session, err error) {
	if o.Output == "" {
		return nil, errors.New("tap: no output file")
	}
	out, err := os.OpenFile(o.Output, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--output: %w", err)
	}
	s := &Session{Stats: NewStats(), o: o, out: out, done: make(chan error, 1)}
	s.rec = NewRecorder(out, s.Stats.Add)
	defer func() {
		if err != nil {
			// The half-written recording is removed: its close errors
			// say nothing more.
			_ = s.rec.Close()
			out.Close()
			os.Remove(o.Output)
		}
	}()
	s.Tap, err = New(ctx, Options{Target: o.Target, Listen: o.Listen, Recorder: s.rec})
	if err != nil {
		return nil, err
	}
	if o.Kubeconfig != "" {
		if err := s.Tap.WriteKubeconfig(o.Kubeconfig); err != nil {
			s.Tap.ln.Close()
			return nil, err
		}
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = cancel
	go func() { s.done <- s.Tap.Serve(sctx) }()
	return s, nil
}

// Close stops serving, writes every record, and removes the kubeconfig.
// It may be called more than once.
func (s *Session) Close() error {
	s.once.Do(func() {
		s.stop()
		err := <-s.done
		err = errors.Join(err, s.rec.Close(), s.out.Close())
		if s.o.Kubeconfig != "" {
			if rerr := os.Remove(s.o.Kubeconfig); rerr != nil && !os.IsNotExist(rerr) {
				err = errors.Join(err, rerr)
			}
		}
		s.err = err
	})
	return s.err
}

// Records is how many records were written; valid after Close.
func (s *Session) Records() int64 { return s.rec.Written() }
