// Command moby-tests runs moby's own Windows integration tests, built from
// one moby line's tree, against two of that tree's dockerd.exe under Wine
// with the HCS emulator: moby's own (stock) and the one with this library in
// place of its backend (ours), and compares the results test by test. A test
// whose result differs is run again on both daemons, alone; one that still
// differs fails the run unless the README lists it among the deliberate
// differences from moby.
//
// No traffic beyond this machine: test/moby/run starts it in a network
// namespace of its own with loopback alone, so nothing it starts can reach
// another address; on top of that the daemons and the tests get proxy
// variables naming a closed loopback port, the suites of moby's tests that
// need a registry or Docker Hub are skipped by name, `ping` is a stand-in
// that sends nothing, and the run fails when a daemon's log or a test's
// output shows a lookup or a dial of any address but loopback.
//
// It runs in a Wine prefix made by .ci/wine/prefix with the busybox
// stand-in's commands on its PATH (test/moby/run does both); every path it
// is given is a Linux path.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libcontainerd-windows/local/test/internal/wined"
)

// closedProxy is a loopback address nothing listens on: every request sent
// through a proxy fails there.
const closedProxy = "http://127.0.0.1:9"

// The image the tests run, under the names moby's Windows tests use.
var (
	testImage  = "busybox:latest"
	imageAlias = []string{
		"mcr.microsoft.com/windows/servercore:ltsc2022",
		"mcr.microsoft.com/windows/nanoserver:ltsc2022",
	}
)

func main() {
	var (
		line      = flag.String("line", "", "the moby line the tests and daemons are of, for the summary")
		stockExe  = flag.String("stock", "", "moby's dockerd.exe, with moby's backend")
		oursExe   = flag.String("ours", "", "the same tree's dockerd.exe, with this library")
		dockerCLI = flag.String("docker", "", "the docker CLI, docker.exe")
		tree      = flag.String("tree", "", "moby's source tree the tests were built from (their working directories)")
		binaries  = flag.String("tests", "", "the folder of moby's test binaries (PACKAGE.test.exe, / as -)")
		wine      = flag.String("wine", "/usr/lib/wine/wine64", "the wine binary")
		readme    = flag.String("readme", "README.md", "the README that lists the deliberate differences")
		logDir    = flag.String("logs", ".", "where the daemons' logs, the tests' output and the results go")
		only      = flag.String("run", "", "only the test units (package or suite) whose name has this text")
		extra     = flag.String("dockerd-args", "", "more arguments for both daemons, space-separated")
	)
	flag.Parse()
	if *line == "" || *stockExe == "" || *oursExe == "" || *dockerCLI == "" || *tree == "" || *binaries == "" {
		fmt.Fprintln(os.Stderr, "usage: moby-tests -line LINE -stock DOCKERD.EXE -ours DOCKERD.EXE -docker DOCKER.EXE -tree MOBY -tests DIR")
		os.Exit(2)
	}
	h := &harness{
		line: *line, tree: *tree, binaries: *binaries, logDir: *logDir, only: *only,
		docker: wined.WindowsPath(*dockerCLI),
	}
	if err := h.run(*stockExe, *oursExe, *wine, *readme, strings.Fields(*extra)); err != nil {
		fmt.Fprintln(os.Stderr, "moby tests:", err)
		os.Exit(1)
	}
}

// A harness runs one line's tests on both daemons.
type harness struct {
	line, tree, binaries, logDir, only string
	docker                             string // docker.exe's Windows path
	stock, ours                        *wined.Daemon
	deliberate                         map[string]bool // test names the README lists
}

func (h *harness) run(stockExe, oursExe, wine, readmePath string, extra []string) error {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	if h.deliberate, err = documented(string(readme)); err != nil {
		return err
	}
	ctx := context.Background()
	c := &wined.CLI{Wine: wine, Docker: h.docker}
	h.stock, h.ours = wined.Pair(c, stockExe, oursExe, h.logDir, extra, proxyEnv())
	both := []*wined.Daemon{h.stock, h.ours}
	defer func() {
		for _, d := range both {
			d.Kill()
		}
	}()

	images, err := os.MkdirTemp("", "moby-tests-images")
	if err != nil {
		return err
	}
	defer os.RemoveAll(images)
	tar, err := wined.WriteImage(images, testImage, false)
	if err != nil {
		return err
	}
	for _, d := range both {
		if err := d.StartWith(ctx, []string{tar}); err != nil {
			return err
		}
		for _, alias := range imageAlias {
			if r := d.Docker(ctx, "", "tag", testImage, alias); r.Code != 0 {
				return fmt.Errorf("docker tag %s (%s): %s", alias, d.Name, r.Stderr)
			}
		}
	}

	units, err := h.units()
	if err != nil {
		return err
	}
	results, err := os.Create(filepath.Join(h.logDir, "moby-tests-"+h.line+".tsv"))
	if err != nil {
		return err
	}
	defer results.Close()
	fmt.Fprintf(results, "unit\ttest\tstock\tours\tverdict\n")
	var total tally
	for _, u := range units {
		started := time.Now()
		t := h.runUnit(ctx, u, results)
		fmt.Printf("moby tests %s %s: %s (%.0fs)\n", h.line, u.name, t, time.Since(started).Seconds())
		total.add(t)
	}
	fmt.Printf("\nmoby tests %s: %s\n", h.line, total)
	if total.knownHangs > 0 {
		fmt.Printf("(%d known to hang under the emulator on both daemons, not run: test/moby/units.go says why)\n", total.knownHangs)
	}
	fmt.Printf("(each test's result per daemon: %s)\n", results.Name())

	if reached := h.reachedOut(); len(reached) > 0 {
		return fmt.Errorf("a daemon or a test looked up or dialled an address beyond loopback:\n  %s", strings.Join(reached, "\n  "))
	}
	if total.unexpected > 0 {
		return fmt.Errorf("%d tests differ between the daemons (%s; logs in %s)", total.unexpected, results.Name(), h.logDir)
	}
	return nil
}

// proxyEnv points every proxy variable at closedProxy, for the daemons and
// the tests.
func proxyEnv() []string {
	var env []string
	for _, v := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		env = append(env, v+"="+closedProxy)
	}
	return append(env, "NO_PROXY=", "no_proxy=")
}
