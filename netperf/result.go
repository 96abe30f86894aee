package netperf

import (
	"time"
)

// Labels place a result within a run (lab scenario, placement, datapath knobs).
type Labels struct {
	Scenario string `json:"scenario,omitempty"` // pod-to-pod, host-to-host, loopback, ...
	Node     string `json:"node,omitempty"`     // same-node or other-node
	BigTCP   string `json:"bigTcp,omitempty"`   // off or on, in the lab
	MTU      int    `json:"mtu,omitempty"`
}

// Result is one test's outcome over all its samples. Throughputs are the
// sample mean; latency percentiles come from the merged histogram.
type Result struct {
	Test            Test    `json:"test"`
	Scenario        string  `json:"scenario"`
	Node            string  `json:"node,omitempty"`
	BigTCP          string  `json:"bigTcp,omitempty"`
	MTU             int     `json:"mtu,omitempty"`
	Streams         int     `json:"streams"`
	MSS             int     `json:"mss,omitempty"`
	Direction       string  `json:"direction,omitempty"` // forward, reverse, bidir
	MessageSize     int     `json:"messageSize,omitempty"`
	DurationSeconds float64 `json:"durationSeconds"`
	Samples         int     `json:"samples"`

	ThroughputBps       float64 `json:"throughputBps"` // received, all directions
	ThroughputCI95Bps   float64 `json:"throughputCi95Bps"`
	SenderThroughputBps float64 `json:"senderThroughputBps"`
	UploadBps           float64 `json:"uploadBps,omitempty"`   // client→server, received
	DownloadBps         float64 `json:"downloadBps,omitempty"` // server→client, received

	LatencyMinUs              float64 `json:"latencyMinUs"`
	LatencyMeanUs             float64 `json:"latencyMeanUs"`
	LatencyP50Us              float64 `json:"latencyP50Us"`
	LatencyP90Us              float64 `json:"latencyP90Us"`
	LatencyP99Us              float64 `json:"latencyP99Us"`
	LatencyMaxUs              float64 `json:"latencyMaxUs"`
	TransactionsPerSecond     float64 `json:"transactionsPerSecond"`
	TransactionsPerSecondCI95 float64 `json:"transactionsPerSecondCi95"`
	Connections               uint64  `json:"connections,omitempty"`       // TCP_CRR connections completed by the client
	ServerConnections         uint64  `json:"serverConnections,omitempty"` // TCP_CRR/UDP_RR transactions the server answered

	Retransmits float64 `json:"retransmits"` // TCP_INFO total_retrans of sending sockets, mean per sample
	RTTUs       float64 `json:"rttUs,omitempty"`
	SendMSS     uint32  `json:"sendMss,omitempty"` // largest tcpi_snd_mss of the sending sockets: the MSS in effect

	UDPSent        uint64  `json:"udpSent,omitempty"`
	UDPLost        uint64  `json:"udpLost,omitempty"`
	UDPLossPercent float64 `json:"udpLossPercent"`
	UDPJitterUs    float64 `json:"udpJitterUs"`

	ClientCPUSeconds  float64 `json:"clientCpuSeconds"` // client process CPU (getrusage) during a sample, mean
	ServerCPUSeconds  float64 `json:"serverCpuSeconds"`
	CPUSecondsPerGbit float64 `json:"cpuSecondsPerGbit,omitempty"` // (client+server) CPU seconds per Gbit received
	ClientCPUPerGbit  float64 `json:"clientCpuSecondsPerGbit,omitempty"`
	ServerCPUPerGbit  float64 `json:"serverCpuSecondsPerGbit,omitempty"`

	SampleValues []float64 `json:"sampleValues"` // headline figure per sample: bits/s or transactions/s
}

// sample is one run of one test.
type sample struct {
	elapsed      time.Duration
	senderBps    float64
	uploadBps    float64
	downloadBps  float64
	recvBytes    int64
	hist         Histogram
	transactions uint64
	conns        uint64
	serverConns  uint64
	retransmits  uint64
	rttSum       time.Duration
	rttN         int
	sendMSS      uint32
	udpSent      uint64
	udpReceived  uint64
	jitter       time.Duration
	clientCPU    time.Duration
	serverCPU    time.Duration
}

func (s *sample) receiverBps() float64 { return s.uploadBps + s.downloadBps }

func (s *sample) tps() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.transactions) / s.elapsed.Seconds()
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// summarize folds the samples of one test into a Result.
func summarize(spec Spec, labels Labels, samples []*sample) Result {
	r := Result{
		Test: spec.Test, Scenario: labels.Scenario, Node: labels.Node, BigTCP: labels.BigTCP, MTU: labels.MTU,
		Streams: spec.Streams, MSS: spec.MSS, DurationSeconds: spec.Duration.Seconds(), Samples: len(samples),
	}
	if spec.Test == TCPStream || spec.Test == UDPStream {
		r.MessageSize = spec.MessageSize
	}
	if spec.Test == TCPStream {
		switch {
		case spec.Bidir:
			r.Direction = "bidir"
		case spec.Reverse:
			r.Direction = "reverse"
		default:
			r.Direction = "forward"
		}
	}
	var hist Histogram
	var bps, tps []float64
	var sent, lost uint64
	var jitter, rtt time.Duration
	var rttN int
	var cpuC, cpuS, bits float64
	for _, s := range samples {
		hist.Merge(&s.hist)
		bps = append(bps, s.receiverBps())
		tps = append(tps, s.tps())
		r.SenderThroughputBps += s.senderBps / float64(len(samples))
		r.UploadBps += s.uploadBps / float64(len(samples))
		r.DownloadBps += s.downloadBps / float64(len(samples))
		r.Connections += s.conns
		r.ServerConnections += s.serverConns
		r.Retransmits += float64(s.retransmits) / float64(len(samples))
		rtt += s.rttSum
		rttN += s.rttN
		r.SendMSS = max(r.SendMSS, s.sendMSS)
		sent += s.udpSent
		if s.udpSent > s.udpReceived {
			lost += s.udpSent - s.udpReceived
		}
		jitter += s.jitter / time.Duration(len(samples))
		cpuC += s.clientCPU.Seconds()
		cpuS += s.serverCPU.Seconds()
		bits += float64(s.recvBytes) * 8
	}
	n := float64(len(samples))
	r.ClientCPUSeconds, r.ServerCPUSeconds = cpuC/n, cpuS/n
	if tests[spec.Test].throughput {
		sum := Summarize(bps)
		r.ThroughputBps, r.ThroughputCI95Bps, r.SampleValues = sum.Mean, sum.CI95, bps
		if bits > 0 {
			gbit := bits / 1e9
			r.CPUSecondsPerGbit = (cpuC + cpuS) / gbit
			r.ClientCPUPerGbit = cpuC / gbit
			r.ServerCPUPerGbit = cpuS / gbit
		}
	}
	if tests[spec.Test].latency {
		sum := Summarize(tps)
		r.TransactionsPerSecond, r.TransactionsPerSecondCI95, r.SampleValues = sum.Mean, sum.CI95, tps
		r.LatencyMinUs = us(hist.Min())
		r.LatencyMeanUs = us(hist.Mean())
		r.LatencyP50Us = us(hist.Quantile(0.50))
		r.LatencyP90Us = us(hist.Quantile(0.90))
		r.LatencyP99Us = us(hist.Quantile(0.99))
		r.LatencyMaxUs = us(hist.Max())
	}
	if rttN > 0 {
		r.RTTUs = us(rtt / time.Duration(rttN))
	}
	if spec.Test == UDPStream {
		r.UDPSent, r.UDPLost = sent, lost
		if sent > 0 {
			r.UDPLossPercent = 100 * float64(lost) / float64(sent)
		}
		r.UDPJitterUs = us(jitter)
	}
	return r
}
