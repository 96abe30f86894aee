package lab

import (
	"fmt"
	"net/netip"
	"strings"
)

// Scenario picks the two ends of a lab test.
type Scenario string

// The lab's scenarios, named as cilium connectivity perf's flags.
const (
	SameNode  Scenario = "same-node"  // pod-to-pod on one node
	OtherNode Scenario = "other-node" // pod-to-pod across the underlay
	HostNet   Scenario = "host-net"   // node-to-node (host network)
)

// Scenarios lists every scenario in run order.
func Scenarios() []Scenario { return []Scenario{SameNode, OtherNode, HostNet} }

// ParseScenarios parses a comma-separated list; "" or "all" means every scenario.
func ParseScenarios(s string) ([]Scenario, error) {
	if strings.TrimSpace(s) == "" || s == "all" {
		return Scenarios(), nil
	}
	var out []Scenario
	for _, f := range strings.Split(s, ",") {
		sc := Scenario(strings.ToLower(strings.TrimSpace(f)))
		switch sc {
		case SameNode, OtherNode, HostNet:
			out = append(out, sc)
		default:
			return nil, fmt.Errorf("unknown scenario %q: want same-node, other-node or host-net", f)
		}
	}
	return out, nil
}

// endpoints are the client and server ends of a scenario.
type endpoints struct {
	client, server *namespace
	serverAddr     netip.Addr
	scenario, node string // result labels, as cilium: pod-to-pod/host-to-host, same-node/other-node
}

func (t *Topology) endpoints(s Scenario) (endpoints, error) {
	pod := func(node, idx int) *Pod {
		for _, p := range t.Pods {
			if p.Node.Index == node && p.Index == idx {
				return p
			}
		}
		return nil
	}
	switch s {
	case SameNode:
		c, srv := pod(1, 1), pod(1, 2)
		if c != nil && srv != nil {
			return endpoints{client: c.NS, server: srv.NS, serverAddr: srv.Addr, scenario: "pod-to-pod", node: "same-node"}, nil
		}
	case OtherNode:
		c, srv := pod(1, 1), pod(2, 1)
		if c != nil && srv != nil {
			return endpoints{client: c.NS, server: srv.NS, serverAddr: srv.Addr, scenario: "pod-to-pod", node: "other-node"}, nil
		}
	case HostNet:
		n1, n2 := t.Nodes[0], t.Nodes[1]
		return endpoints{client: n1.NS, server: n2.NS, serverAddr: n2.Underlay, scenario: "host-to-host", node: "other-node"}, nil
	}
	return endpoints{}, fmt.Errorf("scenario %s: topology lacks its pods", s)
}
