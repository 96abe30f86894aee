// Package docs holds perflab's documentation; its test keeps design.md's
// package map true to the code.
package docs

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/perflab/perflab/"

// statSources stats every Go file of the module, so that go test's result
// cache (which records the files a test reads, not what go list reads)
// reruns this test whenever an import may have changed.
func statSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// importGraph maps every package of the module (without the module prefix)
// to the module packages that import it (tests excluded).
func importGraph(t *testing.T) map[string][]string {
	t.Helper()
	statSources(t)
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	importers := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if _, ok := importers[pkg]; !ok {
			importers[pkg] = nil
		}
		for _, imp := range fields[1:] {
			if dep, ok := strings.CutPrefix(imp, module); ok {
				importers[dep] = append(importers[dep], pkg)
			}
		}
	}
	return importers
}

var code = regexp.MustCompile("`([^`]+)`")

// packageTable reads design.md's package map: package → its "imported by"
// column (the last), as package names.
func packageTable(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("design.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| package |") {
			in = true
			continue
		}
		if !in || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if len(rows) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		name := code.FindStringSubmatch(cells[0])
		if name == nil {
			t.Fatalf("design.md: row without a `package`: %s", line)
		}
		var by []string
		for _, m := range code.FindAllStringSubmatch(cells[len(cells)-1], -1) {
			by = append(by, m[1])
		}
		rows[name[1]] = by
	}
	return rows
}

// TestDesignPackageMap: design.md lists every package of the module, and
// each row's "imported by" column names exactly the packages that import it.
func TestDesignPackageMap(t *testing.T) {
	graph := importGraph(t)
	table := packageTable(t)
	for pkg, importers := range graph {
		by, ok := table[pkg]
		if !ok {
			t.Errorf("design.md has no row for package %s", pkg)
			continue
		}
		slices.Sort(importers)
		importers = slices.Compact(importers)
		slices.Sort(by)
		if !slices.Equal(by, importers) {
			t.Errorf("design.md: %s is imported by %q, the table says %q", pkg, importers, by)
		}
	}
	for pkg := range table {
		if _, ok := graph[pkg]; !ok {
			t.Errorf("design.md lists %s, which is not a package of the module", pkg)
		}
	}
}
