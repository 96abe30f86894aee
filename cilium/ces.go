package cilium

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/perflab/perflab/results"
)

// CiliumEndpointSlice facts (cilium v1.18.4):
//   - operator/pkg/ciliumendpointslice/manager.go: a CEP goes to the fullest
//     CES of its namespace that still has room (first come, first served),
//     else a new CES is created; CESs never mix namespaces;
//   - operator/pkg/ciliumendpointslice/cell.go: ces-max-ciliumendpoints-per-ces
//     defaults to 100, ces-rate-limits to [{"nodes":0,"limit":10,"burst":20}];
//   - operator/pkg/ciliumendpointslice/endpointslice.go: a CES is synced at
//     most every DefaultCESSyncTime (500ms), so CEP changes within that
//     window coalesce into one CES write; writes are capped at 50 QPS.
const (
	DefaultCEPsPerCES = 100
	CESSyncDelay      = 500 * time.Millisecond
	CESDefaultQPS     = 10
	CESDefaultBurst   = 20
)

// CESInput describes a pod population and its churn.
type CESInput struct {
	Pods, Namespaces int
	PerSlice         int           // default 100
	Nodes            int           // agents watching; default 1
	Churn            time.Duration // time over which all pods are created (0 = instant)
	// CEPEventsPerPod are the CiliumEndpoint watch events one pod start
	// causes (create plus status updates); default 3 (create, identity/
	// networking update, ready), an estimate: measure with
	// `kubectl get cep -A --watch`.
	CEPEventsPerPod int
	QPS             float64 // CES writes per second, default 10
	Burst           int     // default 20
}

// CESEstimate is the result.
type CESEstimate struct {
	Slices            int           `json:"slices"`
	SlicesPerNS       []int         `json:"slicesPerNamespace"`
	CEPEventsPerAgent int           `json:"cepEventsPerAgent"`
	CESEventsPerAgent int           `json:"cesEventsPerAgent"`
	CEPEventsTotal    int           `json:"cepEventsAllAgents"`
	CESEventsTotal    int           `json:"cesEventsAllAgents"`
	Reduction         float64       `json:"reduction"`
	WriteTime         time.Duration `json:"cesWriteTime"`
}

// EstimateCES spreads pods evenly over namespaces (the remainder on the
// first ones), slices each namespace FCFS and estimates watch events.
func EstimateCES(in CESInput) (*CESEstimate, error) {
	if in.PerSlice == 0 {
		in.PerSlice = DefaultCEPsPerCES
	}
	if in.Nodes == 0 {
		in.Nodes = 1
	}
	if in.CEPEventsPerPod == 0 {
		in.CEPEventsPerPod = 3
	}
	if in.QPS == 0 {
		in.QPS = CESDefaultQPS
	}
	if in.Burst == 0 {
		in.Burst = CESDefaultBurst
	}
	switch {
	case in.Pods < 0:
		return nil, fmt.Errorf("--pods %d: must be >= 0", in.Pods)
	case in.Namespaces < 1:
		return nil, fmt.Errorf("--namespaces %d: must be >= 1", in.Namespaces)
	case in.PerSlice < 1:
		return nil, fmt.Errorf("--per-slice %d: must be >= 1", in.PerSlice)
	case in.Nodes < 1, in.CEPEventsPerPod < 1, in.QPS <= 0, in.Burst < 1, in.Churn < 0:
		return nil, fmt.Errorf("nodes, cep-events-per-pod, qps and burst must be positive, churn >= 0")
	}
	e := &CESEstimate{}
	ns := min(in.Namespaces, max(in.Pods, 1))
	for i := 0; i < ns; i++ {
		pods := in.Pods / ns
		if i < in.Pods%ns {
			pods++
		}
		n := (pods + in.PerSlice - 1) / in.PerSlice
		e.SlicesPerNS = append(e.SlicesPerNS, n)
		e.Slices += n
	}
	e.CEPEventsPerAgent = in.Pods * in.CEPEventsPerPod
	// Pods arrive evenly over the churn; FCFS fills one slice per namespace
	// at a time, so each 500ms window writes about one slice per namespace
	// (plus one each time a slice fills up), and never more writes than
	// pods (a CES carries only the CEP fields set at creation: identity,
	// addresses, named ports).
	windows := max(1, int(math.Ceil(in.Churn.Seconds()/CESSyncDelay.Seconds())))
	writes := 0
	for i, n := range e.SlicesPerNS {
		pods := in.Pods / ns
		if i < in.Pods%ns {
			pods++
		}
		if pods == 0 {
			continue
		}
		writes += min(pods, windows+n-1)
	}
	e.CESEventsPerAgent = writes
	extra := float64(writes - in.Burst)
	if extra > 0 {
		e.WriteTime = time.Duration(extra / in.QPS * float64(time.Second))
	}
	e.CEPEventsTotal = e.CEPEventsPerAgent * in.Nodes
	e.CESEventsTotal = e.CESEventsPerAgent * in.Nodes
	if e.CEPEventsPerAgent > 0 {
		e.Reduction = 1 - float64(e.CESEventsPerAgent)/float64(e.CEPEventsPerAgent)
	}
	return e, nil
}

// WriteText prints the estimate.
func (e *CESEstimate) WriteText(w io.Writer, in CESInput) error {
	t := results.Table{Plain: true}
	t.Add("CiliumEndpointSlices", e.Slices, fmt.Sprintf("(%d namespaces, <= %d CEPs each, FCFS per namespace)", len(e.SlicesPerNS), max(in.PerSlice, 1)))
	t.Add("watch events per agent, CEP", e.CEPEventsPerAgent, "(pods x events per pod)")
	t.Add("watch events per agent, CES", e.CESEventsPerAgent, "(one write per slice per 500ms sync window)")
	t.Add("all agents, CEP vs CES", fmt.Sprintf("%d vs %d", e.CEPEventsTotal, e.CESEventsTotal), fmt.Sprintf("(%.1f%% fewer)", 100*e.Reduction))
	if e.WriteTime > 0 {
		t.Add("CES write backlog", e.WriteTime.Round(time.Millisecond), "(rate limit beyond the burst)")
	}
	return t.Render(w)
}
