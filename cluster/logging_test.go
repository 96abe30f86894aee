package cluster

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLastError(t *testing.T) {
	tests := []struct{ log, want string }{
		{"I1201 started\nE1201 first\nW1201 warn\nE1201 second\nI1201 after\n", "E1201 second"},
		{"I1201 ok\nF1201 fatal: lost lease\n", "F1201 fatal: lost lease"},
		{"I1201 only info\n", "no error line in the log"},
	}
	for _, tt := range tests {
		p := filepath.Join(t.TempDir(), "cluster.log")
		if err := os.WriteFile(p, []byte(tt.log), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := lastError(p); got != tt.want {
			t.Errorf("lastError(%q) = %q, want %q", tt.log, got, tt.want)
		}
	}
}
