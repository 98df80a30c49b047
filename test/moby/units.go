package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// packages are moby's test packages the harness runs, as paths in moby's
// tree; their binaries are named with / as -.
var packages = []string{"integration/container", "integration/image", "integration/system", "integration-cli"}

// networked names the tests and suites that need a registry, Docker Hub or
// a login, which are skipped (-test.skip): nothing may leave this machine.
const networked = `Registry|Pull|Push|Search|Login|Logout|Hub`

var networkedName = regexp.MustCompile(networked)

// A knownHang is a test of moby's that waits for ever under the emulator on
// both daemons: it is skipped by name, as each would cost testHang and a
// run again of its binary, at every line.
type knownHang struct {
	unit, test, why string
}

var knownHangs = []knownHang{
	{"integration-cli/TestDockerAPISuite", "TestDockerAPISuite/TestContainersAPICreateMountsBindNamedPipe",
		"the container's process writes into a host's named pipe mounted into it; the emulator mounts no pipe, and the test's Accept has no timeout"},
}

// hangsOf lists the unit's known hangs.
func hangsOf(u unit) []knownHang {
	var hs []knownHang
	for _, h := range knownHangs {
		if h.unit == u.name {
			hs = append(hs, h)
		}
	}
	return hs
}

// A unit is one run of one test binary: a package, or one of
// integration-cli's suites, as moby's CI shards it.
type unit struct {
	name    string // the package, or package/suite
	pkg     string // the package's path in moby's tree
	run     string // -test.run
	counted int    // the depth of the tests counted: 0 top-level, 1 a suite's
}

func (u unit) binary() string { return strings.ReplaceAll(u.pkg, "/", "-") + ".test.exe" }

// units lists what to run from the tree: each package whole, and
// integration-cli suite by suite (the suites its check_test.go declares),
// less the networked ones and those -run leaves out.
func (h *harness) units() ([]unit, error) {
	src, err := os.ReadFile(filepath.Join(h.tree, "integration-cli", "check_test.go"))
	if err != nil {
		return nil, err
	}
	units, err := unitsOf(string(src))
	if err != nil {
		return nil, err
	}
	var kept []unit
	for _, u := range units {
		if strings.Contains(u.name, h.only) {
			kept = append(kept, u)
		}
	}
	return kept, nil
}

// unitsOf lists the units, given integration-cli's check_test.go.
func unitsOf(checkTest string) ([]unit, error) {
	var units []unit
	for _, pkg := range packages {
		if pkg != "integration-cli" {
			units = append(units, unit{name: pkg, pkg: pkg, run: ".", counted: 0})
			continue
		}
		suites := suiteNames(checkTest)
		if len(suites) == 0 {
			return nil, fmt.Errorf("no suite in %s/check_test.go", pkg)
		}
		for _, s := range suites {
			if networkedName.MatchString(s) {
				continue
			}
			units = append(units, unit{name: pkg + "/" + s, pkg: pkg, run: "^" + s + "$", counted: 1})
		}
	}
	return units, nil
}

var suiteFunc = regexp.MustCompile(`(?m)^func (Test\w+Suite)\(t \*testing\.T\)`)

// suiteNames are the suite tests a check_test.go declares, sorted.
func suiteNames(src string) []string {
	var names []string
	for _, m := range suiteFunc.FindAllStringSubmatch(src, -1) {
		names = append(names, m[1])
	}
	sort.Strings(names)
	return names
}

// testPattern is the -test.run pattern of exactly the test named name
// (Test or Suite/Test).
func testPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
