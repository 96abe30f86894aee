package ui

import (
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

func testConfig() *rest.Config { return &rest.Config{Host: "https://127.0.0.1:1"} }

// bigModel is the scale: 5,000 nodes and 150,000 pods (30 per
// node), a tenth of them Pending without a node.
func bigModel(nodes, pods int) *Model {
	m := NewModel()
	for i := range nodes {
		m.SetNode(&Node{Name: fmt.Sprintf("node-%05d", i), Ready: true, MaxPods: 110, CPUAllocMilli: 32000, MemoryAllocBytes: 256 << 30})
	}
	for i := range pods {
		p := &Pod{Namespace: fmt.Sprintf("ns-%d", i%100), Name: fmt.Sprintf("pod-%06d", i), Phase: "Running", State: StateReady,
			CPUMilli: 100, MemoryBytes: 64 << 20, Labels: map[string]string{"app": fmt.Sprintf("app-%d", i%10)}}
		if i%10 == 0 {
			p.Phase, p.State, p.Reason = "Pending", StatePending, "0/5000 nodes are available: 5000 Too many pods."
		} else {
			p.Node = fmt.Sprintf("node-%05d", i%nodes)
		}
		m.SetPod(p)
	}
	return m
}

// BenchmarkModelUpdate is one informer event (a pod changing state) applied
// to a model of 150,000 pods on 5,000 nodes.
func BenchmarkModelUpdate(b *testing.B) {
	m := bigModel(5000, 150000)
	pods := make([]*Pod, 1000)
	for i := range pods {
		pods[i] = &Pod{Namespace: fmt.Sprintf("ns-%d", (i*7+1)%100), Name: fmt.Sprintf("pod-%06d", i*7+1), Node: fmt.Sprintf("node-%05d", (i*7+1)%5000),
			Phase: "Running", CPUMilli: 100, MemoryBytes: 64 << 20, Labels: map[string]string{"app": "x"}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for i := 0; b.Loop(); i++ {
		p := *pods[i%len(pods)]
		p.State = State(1 + i%2) // flip Ready/NotReady so each event changes the model
		m.SetPod(&p)
		n++
	}
	reportCPU(b, cpu0, n)
}

// cpuTime is the process's user+system CPU time: on a shared machine the
// wall time per op overstates the cost, the CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, n int) {
	b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e3, "cpu-us/op")
}

// BenchmarkView is one coalesced push at that size: the view built and
// encoded as the page receives it.
func BenchmarkView(b *testing.B) {
	m := bigModel(5000, 150000)
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		n++
		body, err := json.Marshal(m.View(Filter{}, Limits{}))
		if err != nil {
			b.Fatal(err)
		}
		size = len(body)
	}
	reportCPU(b, cpu0, n)
	b.ReportMetric(float64(size), "bytes/view")
}
