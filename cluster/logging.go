package cluster

import (
	"flag"
	"fmt"
	"os"

	"k8s.io/klog/v2"
)

// redirectComponentLogs sends klog (used by every Kubernetes component) to
// path, keeping the terminal for perflab's own output. It returns the file,
// which the cluster closes on Stop.
func redirectComponentLogs(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open component log: %w", err)
	}
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for k, v := range map[string]string{
		"logtostderr":     "false",
		"alsologtostderr": "false",
		"stderrthreshold": "FATAL",
		"one_output":      "true",
		"v":               "0",
	} {
		if err := fs.Set(k, v); err != nil {
			f.Close()
			return nil, fmt.Errorf("klog flag %s: %w", k, err)
		}
	}
	klog.SetOutput(f)
	return f, nil
}
