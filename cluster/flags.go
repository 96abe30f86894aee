package cluster

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	cliflag "k8s.io/component-base/cli/flag"
)

// componentArgs is a component's flags as key → value. Later sets win, so
// perflab's settings can be overridden by the user's.
type componentArgs map[string]string

func (a componentArgs) set(kv ...string) componentArgs {
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	return a
}

// setAll applies "key=value" overrides (a leading "--" is optional).
func (a componentArgs) setAll(overrides []string) {
	for _, o := range overrides {
		k, v, _ := strings.Cut(o, "=")
		a[strings.TrimLeft(k, "-")] = v
	}
}

func (a componentArgs) list() []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, "--"+k+"="+a[k])
	}
	return out
}

// parseInto parses args into a component's named flag sets, the same flags
// its own command line accepts.
func parseInto(component string, nfs cliflag.NamedFlagSets, args componentArgs) error {
	fs := pflag.NewFlagSet(component, pflag.ContinueOnError)
	fs.SetOutput(discard{})
	for _, f := range nfs.FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args.list()); err != nil {
		return fmt.Errorf("%s flags: %w", component, err)
	}
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
