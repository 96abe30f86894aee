package report

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/perflab/perflab/version"
)

// RunInfoFile is the name of the run header perflab writes next to a run's
// results; kube-burner and ClusterLoader2 write none, and the page then
// takes what it can from the result files.
const RunInfoFile = "perflab-run.json"

// RunInfo is what the page's header shows about a run.
type RunInfo struct {
	Kind              Kind      `json:"kind"`
	Command           string    `json:"command"`
	Config            string    `json:"config,omitempty"` // path of the config file
	ConfigText        string    `json:"configText,omitempty"`
	UUID              string    `json:"uuid,omitempty"`
	PerflabVersion    string    `json:"perflabVersion"`
	KubernetesVersion string    `json:"kubernetesVersion,omitempty"`
	Target            string    `json:"target,omitempty"` // "embedded" or the cluster's name and address
	Nodes             int       `json:"nodes,omitempty"`
	MaxPods           int       `json:"maxPods,omitempty"`
	Machine           Machine   `json:"machine"`
	Start             time.Time `json:"start"`
	End               time.Time `json:"end"`
	ExitCode          int       `json:"exitCode"`
	Why               string    `json:"why,omitempty"` // the error that decided the exit code
	// Diagnosis explains what the run waited for in vain, such as Pending
	// pods ("0/1 nodes are available: 1 Too many pods"), one line each.
	Diagnosis []string `json:"diagnosis,omitempty"`
}

// Machine is the host perflab ran on.
type Machine struct {
	CPUs        int    `json:"cpus"`
	MemoryBytes uint64 `json:"memoryBytes,omitempty"`
	Kernel      string `json:"kernel,omitempty"`
	OS          string `json:"os"`
	Arch        string `json:"arch"`
}

// NewRunInfo starts the header of a run of the given kind begun at start.
func NewRunInfo(kind Kind, command string, start time.Time) RunInfo {
	return RunInfo{Kind: kind, Command: command, PerflabVersion: version.Version, Machine: ThisMachine(), Start: start.UTC()}
}

// ThisMachine describes the host: CPUs, memory (from /proc/meminfo) and
// kernel release.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					m.MemoryBytes = kb * 1024
				}
			}
		}
	}
	return m
}
