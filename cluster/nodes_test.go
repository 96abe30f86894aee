package cluster

import (
	"strings"
	"testing"
)

func TestPodCIDR(t *testing.T) {
	tests := []struct {
		i, maxPods int
		want       string
	}{
		{0, 110, "10.128.0.0/24"},       // a simulated node's podCIDR, never routed
		{1, 110, "10.128.1.0/24"},       // a simulated node's podCIDR, never routed
		{300, 110, "10.129.44.0/24"},    // a simulated node's podCIDR, never routed
		{0, 254, "10.128.0.0/24"},       // a simulated node's podCIDR, never routed
		{1, 300, "10.128.2.0/23"},       // a simulated node's podCIDR, never routed
		{32767, 110, "10.255.255.0/24"}, // a simulated node's podCIDR, never routed
	}
	for _, tt := range tests {
		got, err := podCIDR(tt.i, tt.maxPods)
		if err != nil {
			t.Fatalf("podCIDR(%d, %d): %v", tt.i, tt.maxPods, err)
		}
		if got.String() != tt.want {
			t.Errorf("podCIDR(%d, %d) = %s, want %s", tt.i, tt.maxPods, got, tt.want)
		}
	}
	if _, err := podCIDR(32768, 110); err == nil {
		t.Error("podCIDR past the /9 must fail")
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
