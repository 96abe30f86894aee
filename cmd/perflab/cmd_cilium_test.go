package main

import (
	"os"
	"strings"
	"testing"

	"github.com/perflab/perflab/exitcode"
)

func TestCiliumMapsCommand(t *testing.T) {
	out, err := runCLI(t, "cilium", "maps", "--mem-total", "5036000kB", "--cpus", "7", "--ratio", "0.01", "--distributed-lru")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../cilium/testdata/golden/seed-ratio-0.01-lru.golden")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	for _, bad := range [][]string{
		{"cilium", "maps", "--mem-total", "16Gb2", "--cpus", "1"},
		{"cilium", "maps", "--mem-total", "16Gi", "--cpus", "1", "--ratio", "1.5"},
		{"cilium", "pressure", "-f", "/nonexistent/metrics.txt"},
		{"cilium", "ces", "--pods", "10", "--namespaces", "0"},
	} {
		_, err := runCLI(t, bad...)
		if err == nil || exitcode.Of(err) != exitcode.Error {
			t.Errorf("%s: err %v, code %d", strings.Join(bad, " "), err, exitcode.Of(err))
		}
	}
}
