package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// Profile files written by Bench with ProfileDir.
const (
	HeapNodesReadyProfile = "heap-nodes-ready.pprof"
	CPULoadProfile        = "cpu-load.pprof"
	HeapLoadedProfile     = "heap-loaded.pprof"
)

// writeHeapProfile writes the live heap after a GC to dir/name.
func writeHeapProfile(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("bench: heap profile: %w", err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return "", fmt.Errorf("bench: heap profile %s: %w", path, err)
	}
	return path, f.Close()
}

// startCPUProfile profiles into dir/name until the returned stop is called.
func startCPUProfile(dir, name string) (path string, stop func() error, err error) {
	path = filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", nil, fmt.Errorf("bench: CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return "", nil, fmt.Errorf("bench: CPU profile %s: %w", path, err)
	}
	return path, func() error { pprof.StopCPUProfile(); return f.Close() }, nil
}
