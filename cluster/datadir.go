package cluster

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// secureDataDir makes a data directory private: the directory and its pki/
// become 0700 and every key and kubeconfig 0600, whatever modes an older
// run, a restored backup or a umask left. A directory owned by another
// user is refused (its owner could read the keys).
func secureDataDir(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--data-dir %s: %w", dir, err)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("--data-dir %s belongs to uid %d, not to this user (%d): refusing to keep credentials there", dir, st.Uid, os.Getuid())
	}
	// A directory just made by mkdir is tightened quietly; one that
	// already held a cluster's credentials gets a warning.
	level := slog.LevelDebug
	if fileExists(filepath.Join(dir, stateFile)) || fileExists(filepath.Join(dir, "pki")) {
		level = slog.LevelWarn
	}
	for _, d := range []string{dir, filepath.Join(dir, "pki")} {
		if err := tighten(d, 0o700, level); err != nil {
			return err
		}
	}
	return filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && path != dir && filepath.Base(path) != "pki" {
			return fs.SkipDir // etcd's and the volumes' own trees
		}
		if !e.IsDir() && (strings.HasSuffix(path, ".key") || strings.HasSuffix(path, ".kubeconfig")) {
			return tighten(path, 0o600, level)
		}
		return nil
	})
}

// tighten removes from path's mode every permission bit not in limit.
func tighten(path string, limit fs.FileMode, level slog.Level) error {
	info, err := os.Lstat(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Mode()&fs.ModeSymlink != 0 || info.Mode().Perm()&^limit == 0 {
		return nil
	}
	mode := info.Mode().Perm() & limit
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("tighten %s to %v: %w", path, mode, err)
	}
	slog.Log(context.Background(), level, "tightened permissions in the data directory", "path", path, "was", info.Mode().Perm(), "now", mode)
	return nil
}
