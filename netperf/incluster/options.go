package incluster

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/perflab/perflab/netperf"
)

// Options configure perflab netperf cluster.
type Options struct {
	Image     string
	SameNode  bool
	OtherNode bool
	HostNet   bool
	Service   bool
	Timeout   time.Duration // for pods to become ready

	Tests   []netperf.Test
	Params  netperf.Params
	MSS     []int
	Samples int
}

// AddFlags registers the cluster flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Image, "image", "", "container image with the perflab binary (see Dockerfile); required")
	fs.BoolVar(&o.SameNode, "same-node", true, "client pod on the server's node (pod affinity)")
	fs.BoolVar(&o.OtherNode, "other-node", true, "client pod on another node (pod anti-affinity)")
	fs.BoolVar(&o.HostNet, "host-net", false, "also host-to-host between hostNetwork pods on different nodes")
	fs.BoolVar(&o.Service, "service", false, "also through the server's ClusterIP Service")
	fs.DurationVar(&o.Timeout, "pod-timeout", 3*time.Minute, "how long to wait for the pods to be ready")
}

// Validate checks the options and fills defaults; Run and RunAndReport call it too.
func (o *Options) Validate() error {
	if o.Image == "" {
		return fmt.Errorf("%w: --image is required (build it with the Dockerfile at the repository root)", netperf.ErrBadInput)
	}
	if !o.SameNode && !o.OtherNode && !o.HostNet && !o.Service {
		return fmt.Errorf("%w: no scenario: enable --same-node, --other-node, --host-net or --service", netperf.ErrBadInput)
	}
	if o.Timeout <= 0 {
		o.Timeout = 3 * time.Minute
	}
	probe := netperf.Options{Server: "127.0.0.1:1", Tests: o.Tests, Params: o.Params, MSS: o.MSS, Samples: o.Samples}
	if len(probe.Tests) == 0 {
		probe.Tests = []netperf.Test{netperf.TCPStream}
	}
	return probe.Validate()
}

// runArgs is the `perflab netperf run` command executed in a client pod.
func runArgs(o Options, server string) []string {
	p := o.Params
	args := []string{"perflab", "netperf", "run", "--server", server, "--output", "json",
		"--duration", p.Duration.String(), "--streams", fmt.Sprint(max(p.Streams, 1)), "--samples", fmt.Sprint(max(o.Samples, 1)),
		"--req-size", fmt.Sprint(max(p.RequestSize, 1)), "--resp-size", fmt.Sprint(max(p.ResponseSize, 1))}
	if len(o.Tests) > 0 {
		t := ""
		for i, x := range o.Tests {
			if i > 0 {
				t += ","
			}
			t += string(x)
		}
		args = append(args, "--test", t)
	}
	if len(o.MSS) > 0 {
		m := ""
		for i, x := range o.MSS {
			if i > 0 {
				m += ","
			}
			m += fmt.Sprint(x)
		}
		args = append(args, "--mss", m)
	}
	if p.Reverse {
		args = append(args, "--reverse")
	}
	if p.Bidir {
		args = append(args, "--bidir")
	}
	if p.MessageSize > 0 {
		args = append(args, "--msg-size", fmt.Sprint(p.MessageSize))
	}
	if p.SendBuffer > 0 {
		args = append(args, "--send-buffer", fmt.Sprint(p.SendBuffer))
	}
	if p.RecvBuffer > 0 {
		args = append(args, "--recv-buffer", fmt.Sprint(p.RecvBuffer))
	}
	switch {
	case p.BitsPerSecond < 0:
		args = append(args, "--bitrate", "unlimited")
	case p.BitsPerSecond > 0:
		args = append(args, "--bitrate", fmt.Sprintf("%.0f", p.BitsPerSecond))
	}
	return args
}
