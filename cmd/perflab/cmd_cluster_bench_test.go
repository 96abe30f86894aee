package main

import (
	"slices"
	"testing"

	"github.com/perflab/perflab/clusterbench"
)

// A size's child process gets the user's cluster flags, one size, --json
// and its own profile directory, and none of the parent's outputs.
func TestBenchChildArgs(t *testing.T) {
	cmd := newClusterBenchCommand()
	err := cmd.ParseFlags([]string{"--nodes", "10,100", "--pods", "100,1000", "--json", "--report-dir", "out", "--profile", "prof",
		"--pod-startup-delay", "100ms", "--apiserver-arg", "max-requests-inflight=500", "--apiserver-arg", "watch-cache=false", "--timeout", "1h"})
	if err != nil {
		t.Fatal(err)
	}
	got := benchChildArgs(cmd.Flags(), clusterbench.Size{Nodes: 100, Pods: 1000}, "prof")
	want := []string{"cluster", "bench", "--json", "--nodes=100", "--pods=1000",
		"--apiserver-arg=max-requests-inflight=500", "--apiserver-arg=watch-cache=false", "--pod-startup-delay=100ms", "--timeout=1h0m0s",
		"--profile=prof/100x1000"}
	if !slices.Equal(got, want) {
		t.Errorf("child args\n got %q\nwant %q", got, want)
	}
}
