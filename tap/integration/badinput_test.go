package integration

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/tap"
)

func TestBadInput(t *testing.T) {
	needCluster(t)
	// A port nobody listens on: listen, note it, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	unreachable := rest.CopyConfig(testCluster.RESTConfig())
	unreachable.Host = "https://" + closed
	noCreds := rest.CopyConfig(testCluster.RESTConfig())
	noCreds.TLSClientConfig = rest.TLSClientConfig{CAData: noCreds.CAData, CAFile: noCreds.CAFile}
	noCreds.CertFile, noCreds.KeyFile, noCreds.CertData, noCreds.KeyData = "", "", nil, nil

	tests := []struct {
		name    string
		target  *rest.Config
		listen  string
		wantErr error
		wantMsg string
	}{
		{"unreachable target", unreachable, "", tap.ErrUnreachable, closed},
		{"port in use", testCluster.RESTConfig(), busy.Addr().String(), tap.ErrPortInUse, busy.Addr().String()},
		{"no credentials", noCreds, "", tap.ErrNoCredentials, "no token, client certificate"},
		{"not loopback", testCluster.RESTConfig(), "0.0.0.0:0", tap.ErrNotLoopback, "--listen 0.0.0.0:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tap.NewRecorder(nil)
			defer func() {
				if err := rec.Close(); err != nil {
					t.Error(err)
				}
			}()
			_, err := tap.New(context.Background(), tap.Options{Target: tt.target, Listen: tt.listen, Recorder: rec})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
			t.Log(err)
		})
	}
}
