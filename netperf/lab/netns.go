package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/vishvananda/netns"
)

// netnsDir is where named network namespaces are bind-mounted (as `ip netns` does).
const netnsDir = "/run/netns"

// namespace is a named network namespace the lab created.
type namespace struct {
	name   string
	handle netns.NsHandle
}

// String names the namespace in messages.
func (n *namespace) String() string { return n.name }

// Enter switches the calling, locked OS thread into n (netperf.Namespace).
func (n *namespace) Enter() (func() error, error) {
	orig, err := netns.Get()
	if err != nil {
		return nil, err
	}
	if err := netns.Set(n.handle); err != nil {
		orig.Close()
		return nil, err
	}
	return func() error {
		defer orig.Close()
		return netns.Set(orig)
	}, nil
}

// do runs f on a locked thread inside n and returns the thread to the
// original namespace; a thread that cannot go back stays locked and is
// discarded by the Go runtime.
func (n *namespace) do(f func() error) error {
	runtime.LockOSThread()
	leave, err := n.Enter()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter %s: %w", n.name, err)
	}
	ferr := f()
	if err := leave(); err != nil {
		return fmt.Errorf("leave %s: %w", n.name, err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// sysctl writes a per-namespace sysctl such as net/ipv4/ip_forward.
func (n *namespace) sysctl(key, value string) error {
	return n.do(func() error {
		return os.WriteFile(filepath.Join("/proc/sys", key), []byte(value), 0o644)
	})
}

// createNamespace makes a named namespace without leaving the calling thread in it.
func createNamespace(name string) (*namespace, error) {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer orig.Close()
	h, nerr := netns.NewNamed(name) // switches this thread into the new namespace
	if err := netns.Set(orig); err != nil {
		if h.IsOpen() {
			h.Close()
		}
		return nil, fmt.Errorf("return from namespace %s: %w", name, err) // thread stays locked
	}
	runtime.UnlockOSThread()
	if nerr != nil {
		_ = os.Remove(filepath.Join(netnsDir, name)) // NewNamed may leave the mount point behind
		return nil, fmt.Errorf("create network namespace %s: %w", name, nerr)
	}
	return &namespace{name: name, handle: h}, nil
}

// deleteNamespace closes n's handle and removes its name; the kernel frees
// the namespace (and the veth ends in it) once no socket holds it.
func deleteNamespace(n *namespace) error {
	if n.handle.IsOpen() {
		n.handle.Close()
	}
	return deleteNamed(n.name)
}

func deleteNamed(name string) error {
	err := netns.DeleteNamed(name)
	if err != nil && errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		// Not mounted (a half-made namespace): remove the file alone.
		if rerr := os.Remove(filepath.Join(netnsDir, name)); rerr == nil || errors.Is(rerr, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("delete network namespace %s: %w", name, err)
	}
	return nil
}

// Leftovers lists perflab namespaces whose creating process no longer runs.
func Leftovers() ([]string, error) {
	return namespacesOf(func(pid int) bool {
		_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
		return errors.Is(err, os.ErrNotExist)
	})
}

// Owned lists the namespaces of this process (prefix perflab-<pid>-).
func Owned() ([]string, error) {
	self := os.Getpid()
	return namespacesOf(func(pid int) bool { return pid == self })
}

// namespacesOf lists the named perflab namespaces whose creator pid matches.
func namespacesOf(match func(pid int) bool) ([]string, error) {
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if pid, ok := namePID(e.Name()); ok && match(pid) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// namePID parses perflab-<pid>-... names.
func namePID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "perflab-")
	if !ok {
		return 0, false
	}
	pidStr, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(pidStr)
	return pid, err == nil && pid > 0
}

// RemoveLeftovers deletes namespaces left by perflab processes that died.
func RemoveLeftovers() ([]string, error) {
	names, err := Leftovers()
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, n := range names {
		errs = append(errs, deleteNamed(n))
	}
	return names, errors.Join(errs...)
}
