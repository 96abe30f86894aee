package netperf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/perflab/perflab/progress"
)

// Options configure a client run: every test in Tests, Samples times each.
type Options struct {
	Server    string // host or host:port of a perflab netperf server
	Tests     []Test
	Params    Params
	MSS       []int     // run TCP tests once per MSS (the CSV columns); empty = Params.MSS
	Samples   int       // repetitions per test; 0 = 1
	Namespace Namespace // create the client's sockets here; nil = current namespace
	Labels    Labels
	// Token is presented to a server started with one (--token).
	Token string
	// Progress gets each sample's progress lines (stderr in commands);
	// nil: none.
	Progress io.Writer
}

// Validate checks o and fills defaults. Errors wrap ErrBadInput.
func (o *Options) Validate() error {
	if o.Server == "" {
		return fmt.Errorf("%w: --server is required", ErrBadInput)
	}
	if _, _, err := net.SplitHostPort(o.Server); err != nil {
		o.Server = net.JoinHostPort(o.Server, strconv.Itoa(DefaultPort))
	}
	if len(o.Tests) == 0 {
		return fmt.Errorf("%w: no test given: want one of %s", ErrBadInput, joinTests(Tests()))
	}
	if o.Samples < 0 || o.Samples > 1000 {
		return fmt.Errorf("%w: --samples %d: want 1..1000", ErrBadInput, o.Samples)
	}
	if o.Samples == 0 {
		o.Samples = 1
	}
	if (o.Params.Reverse || o.Params.Bidir) && !slices.Contains(o.Tests, TCPStream) {
		return fmt.Errorf("%w: --reverse and --bidir apply to TCP_STREAM only", ErrBadInput)
	}
	for _, t := range o.Tests {
		for _, mss := range o.mssList() {
			p := o.Params
			p.MSS = mss
			if err := p.Validate(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run runs every test of o against the server and returns one Result per test.
func Run(ctx context.Context, o Options) ([]Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	var out []Result
	for _, t := range o.Tests {
		msss := o.mssList()
		if tests[t].udp {
			msss = msss[:1] // MSS does not apply to UDP
		}
		for _, mss := range msss {
			spec := Spec{Test: t, Params: o.Params}
			spec.MSS = mss
			_ = spec.Params.Validate(t) // validated above; fills per-test defaults
			r, err := runSamples(ctx, o, spec)
			if err != nil {
				return out, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (o *Options) mssList() []int {
	if len(o.MSS) == 0 {
		return []int{o.Params.MSS}
	}
	return o.MSS
}

// runSamples runs spec o.Samples times, each with its progress lines.
func runSamples(ctx context.Context, o Options, spec Spec) (Result, error) {
	var samples []*sample
	for i := 0; i < o.Samples; i++ {
		s, err := runOnce(ctx, o.Server, o.Namespace, spec, o.Token, sampleProgress(o, spec, i))
		if err != nil {
			return Result{}, fmt.Errorf("%s sample %d/%d: %w", spec.Test, i+1, o.Samples, err)
		}
		samples = append(samples, s)
	}
	return summarize(spec, o.Labels, samples), nil
}

// progressInterval is how often a running sample prints its progress.
const progressInterval = 2 * time.Second

// sampleProgress configures the progress display of sample i of spec:
// throughput tests count bits, request/response tests transactions.
func sampleProgress(o Options, spec Spec, i int) progress.Options {
	var name []string
	for _, l := range []string{o.Labels.Scenario, o.Labels.Node} {
		if l != "" {
			name = append(name, l)
		}
	}
	if o.Labels.BigTCP != "" {
		name = append(name, "BIG TCP "+o.Labels.BigTCP)
	}
	name = append(name, string(spec.Test))
	if spec.MSS != 0 {
		name = append(name, fmt.Sprintf("MSS %d", spec.MSS))
	}
	if spec.Streams > 1 {
		name = append(name, fmt.Sprintf("%d streams", spec.Streams))
	}
	name = append(name, fmt.Sprintf("sample %d/%d", i+1, o.Samples))
	po := progress.Options{Name: strings.Join(name, " "), Unit: "transactions", Interval: progressInterval, Out: o.Progress}
	if tests[spec.Test].throughput {
		po.Unit, po.SI = "bit", true
	}
	return po
}

// runOnce runs one sample of spec against server (host:port), presenting
// token when not empty; its progress is shown as po says.
func runOnce(ctx context.Context, server string, ns Namespace, spec Spec, token string, po progress.Options) (*sample, error) {
	if err := spec.Params.Validate(spec.Test); err != nil {
		return nil, err
	}
	var ctrl net.Conn
	err := inNamespace(ns, func() error {
		var err error
		ctrl, err = (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", server)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("server %s unreachable: %w", server, err)
	}
	defer ctrl.Close()
	stop := context.AfterFunc(ctx, func() { ctrl.Close() })
	defer stop()
	if _, err := ctrl.Write(preamble{kind: kindControl}.marshal(nil)); err != nil {
		return nil, fmt.Errorf("server %s: %w", server, err)
	}
	cc := newControlConn(ctrl)
	if err := cc.write(request{Spec: spec, Token: token}); err != nil {
		return nil, fmt.Errorf("server %s: %w", server, err)
	}
	var h hello
	if err := cc.read(&h, 10*time.Second); err != nil {
		return nil, fmt.Errorf("server %s: no answer (is it a perflab netperf server?): %w", server, ctxErr(ctx, err))
	}
	if h.Error != "" {
		return nil, fmt.Errorf("server %s refused the test: %s", server, h.Error)
	}
	host, _, _ := net.SplitHostPort(server)
	r := &clientRun{ctx: ctx, ns: ns, spec: spec, session: h.Session, tcpAddr: server,
		udpAddr: net.JoinHostPort(host, strconv.Itoa(h.UDPPort)), progressOptions: po}
	results, clientCPU, err := r.run()
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	var d done
	for _, w := range results {
		if w.udpSent > 0 || spec.Test == UDPStream {
			d.UDPSent = append(d.UDPSent, w.udpSent)
		}
	}
	if err := cc.write(d); err != nil {
		return nil, ctxErr(ctx, err)
	}
	var rep report
	if err := cc.read(&rep, drainTimeout+time.Minute); err != nil {
		return nil, fmt.Errorf("server %s: read report: %w", server, ctxErr(ctx, err))
	}
	if rep.Error != "" {
		return nil, fmt.Errorf("server %s: %s", server, rep.Error)
	}
	s := combine(spec, results, rep)
	s.clientCPU = clientCPU
	return s, nil
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// clientRun is the client's side of one sample.
type clientRun struct {
	ctx     context.Context
	ns      Namespace
	spec    Spec
	session uint64
	tcpAddr string
	udpAddr string
	// progress counts bits (throughput tests) or transactions; run sets it
	// from progressOptions when the workers start.
	progress        *progress.Reporter
	progressOptions progress.Options
}

// workerResult is what one client worker measured.
type workerResult struct {
	stream       int
	sentBytes    int64
	sentElapsed  time.Duration
	recvBytes    int64
	recvElapsed  time.Duration
	tcp          TCPStats
	hasTCP       bool
	hist         *Histogram
	transactions uint64
	elapsed      time.Duration
	udpSent      uint64
}

// worker dials in prepare (inside the namespace) and measures in run.
type worker interface {
	prepare() error
	run() (workerResult, error)
	close()
}

func (r *clientRun) workers() []worker {
	sp := r.spec
	var ws []worker
	switch sp.Test {
	case TCPStream:
		for i := 0; i < sp.Streams; i++ {
			if !sp.Reverse {
				ws = append(ws, &tcpStreamWorker{r: r, stream: i, send: true})
			}
			if sp.Reverse || sp.Bidir {
				ws = append(ws, &tcpStreamWorker{r: r, stream: i, send: false})
			}
		}
	case TCPRR:
		ws = append(ws, &tcpRRWorker{r: r})
	case TCPCRR:
		ws = append(ws, &tcpCRRWorker{r: r})
	case UDPRR:
		ws = append(ws, &udpRRWorker{r: r})
	case UDPStream:
		for i := 0; i < sp.Streams; i++ {
			ws = append(ws, &udpStreamWorker{r: r, stream: i})
		}
	}
	return ws
}

// run starts every worker on its own goroutine, lets them dial, then
// releases them together. It returns the process CPU used while they ran.
func (r *clientRun) run() ([]workerResult, time.Duration, error) {
	ws := r.workers()
	start := make(chan struct{})
	var ready, finished sync.WaitGroup
	results := make([]workerResult, len(ws))
	errs := make([]error, len(ws))
	for i, w := range ws {
		ready.Add(1)
		finished.Add(1)
		go func() {
			defer finished.Done()
			defer w.close()
			err := w.prepare()
			ready.Done()
			if err != nil {
				errs[i] = err
				return
			}
			<-start
			results[i], errs[i] = w.run()
		}()
	}
	ready.Wait()
	cpu0 := processCPU()
	r.progress = progress.New(r.progressOptions)
	stopProgress := r.progress.Start(r.ctx)
	close(start)
	finished.Wait()
	stopProgress()
	cpu := processCPU() - cpu0
	if err := errors.Join(errs...); err != nil {
		return nil, 0, err
	}
	return results, cpu, nil
}

// combine merges the client's and server's measurements of one sample.
func combine(spec Spec, ws []workerResult, rep report) *sample {
	s := &sample{serverCPU: rep.CPU, serverConns: rep.Connections}
	addTCP := func(t TCPStats) {
		s.retransmits += uint64(t.Retransmits)
		if t.RTT > 0 {
			s.rttSum += t.RTT
			s.rttN++
		}
		s.sendMSS = max(s.sendMSS, t.MSS)
	}
	for _, w := range ws {
		s.elapsed = max(s.elapsed, w.elapsed)
		if w.sentBytes > 0 && w.sentElapsed > 0 {
			s.senderBps += float64(w.sentBytes) * 8 / w.sentElapsed.Seconds()
		}
		if w.hasTCP { // senders and request/response connections
			addTCP(w.tcp)
		}
		if w.recvBytes > 0 && w.recvElapsed > 0 { // reverse TCP_STREAM
			s.downloadBps += float64(w.recvBytes) * 8 / w.recvElapsed.Seconds()
			s.recvBytes += w.recvBytes
		}
		if w.hist != nil {
			s.hist.Merge(w.hist)
		}
		s.transactions += w.transactions
		s.udpSent += w.udpSent
	}
	if spec.Test == TCPCRR {
		s.conns = s.transactions
	}
	for _, st := range rep.Streams {
		switch st.Role {
		case roleReceive:
			if st.Elapsed > 0 {
				s.uploadBps += float64(st.Bytes) * 8 / st.Elapsed.Seconds()
			}
			s.recvBytes += st.Bytes
		case roleSend:
			if st.Elapsed > 0 {
				s.senderBps += float64(st.Bytes) * 8 / st.Elapsed.Seconds()
			}
			addTCP(st.TCP)
		}
	}
	if spec.Test == UDPStream {
		var recvBytes int64
		for _, u := range rep.UDP {
			s.udpReceived += u.Received
			recvBytes += u.Bytes
			s.jitter += u.Jitter / time.Duration(max(len(rep.UDP), 1))
		}
		s.recvBytes = recvBytes
		if s.elapsed > 0 {
			s.uploadBps = float64(recvBytes) * 8 / s.elapsed.Seconds()
		}
	}
	return s
}
