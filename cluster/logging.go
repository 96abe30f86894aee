package cluster

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	_ "unsafe" // go:linkname, for the API server's etcd client logger

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc/grpclog"
	"k8s.io/klog/v2"

	// The package whose logger etcdClientLogger names.
	_ "k8s.io/apiserver/pkg/storage/storagebackend/factory"
)

// etcdClientLogger is the zap logger every etcd client of the API server
// shares. The apiserver builds it in an init function writing to the
// process's stderr and offers no way to replace it; left alone it prints
// the etcd client's JSON warnings ("retrying of unary invoker failed") on
// the user's terminal whenever etcd is slow, restarting or stopping.
//
//go:linkname etcdClientLogger k8s.io/apiserver/pkg/storage/storagebackend/factory.etcd3ClientLogger
var etcdClientLogger *zap.Logger

// redirectComponentLogs sends every component logger to path, keeping the
// terminal for perflab's own output: klog (every Kubernetes component),
// the API server's etcd client logger (zap) and gRPC's logger. etcd's
// server and kwok get the file through their own options. It returns the
// file, which the cluster closes on Stop.
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
	// A component giving up (klog.Fatal, FlushAndExit) ends the process;
	// with its logs in the file that exit would be silent on the terminal.
	klog.OsExit = func(code int) {
		fmt.Fprintf(os.Stderr, "perflab: an embedded control-plane component stopped the process (exit %d): %s\n(full log: %s)\n", code, lastError(path), path)
		os.Exit(code)
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	etcdClientLogger = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(f), zapcore.WarnLevel)).Named("etcd-client")
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, f, f))
	return f, nil
}

// lastError returns the last error or fatal klog line of the log at path
// (the final 64 KiB), or a placeholder.
func lastError(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "no log"
	}
	defer f.Close()
	const tail = 64 << 10
	if info, err := f.Stat(); err == nil && info.Size() > tail {
		if _, err := f.Seek(info.Size()-tail, io.SeekStart); err != nil {
			return "no log: " + err.Error()
		}
	}
	b, _ := io.ReadAll(f)
	last := "no error line in the log"
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "E") || strings.HasPrefix(l, "F") {
			last = l
		}
	}
	return last
}
