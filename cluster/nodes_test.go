package cluster

import (
	"net/netip"
	"strings"
	"testing"
)

// Pod CIDRs never overlap, whatever --max-pods each batch of nodes was
// created with (a restart with another --max-pods, nodes add after it).
func TestPodCIDRsNeverOverlap(t *testing.T) {
	type batch struct{ n, maxPods int }
	tests := []struct {
		name    string
		history []batch
		first   string // the first batch's first CIDR
	}{
		{"one size", []batch{{3, 110}}, "10.128.0.0/24"}, // a simulated node's podCIDR, never routed
		{"larger then smaller", []batch{{2, 300}, {2, 110}}, "10.128.0.0/23"},
		{"smaller then larger", []batch{{3, 110}, {2, 300}, {1, 110}}, "10.128.0.0/24"},
		{"alternating", []batch{{1, 1000}, {1, 110}, {1, 5000}, {2, 254}, {1, 300}}, "10.128.0.0/22"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var used []string
			var all []netip.Prefix
			for _, b := range tt.history {
				got, err := podCIDRs(used, b.n, b.maxPods)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range got {
					if size := uint64(1) << (32 - p.Bits()); size < uint64(b.maxPods)+2 {
						t.Errorf("%s holds %d addresses, fewer than maxPods %d + 2", p, size, b.maxPods)
					}
					for _, q := range all {
						if p.Overlaps(q) {
							t.Errorf("%s overlaps %s", p, q)
						}
					}
					all = append(all, p)
					used = append(used, p.String())
				}
			}
			if all[0].String() != tt.first {
				t.Errorf("first CIDR %s, want %s", all[0], tt.first)
			}
		})
	}
	if _, err := podCIDRs([]string{"10.255.255.0/24"}, 1, 110); err == nil {
		t.Error("a CIDR past the end of 10.128.0.0/9 must fail")
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"negative nodes", Options{Nodes: -1}, "--nodes -1"},
		{"bad memory", Options{NodeMemory: "lots"}, "--node-memory"},
		{"zero cpu", Options{NodeCPU: "0"}, "must be positive"},
		{"negative delay", Options{PodStartupDelay: -1}, "--pod-startup-delay"},
		{"bad apiserver arg", Options{APIServerArgs: []string{"novalue"}}, "key=value"},
		{"max pods too big", Options{MaxPods: 70000}, "--max-pods"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.setDefaults()
			err := o.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.want)
			}
		})
	}
	ok := Options{}
	ok.setDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}
