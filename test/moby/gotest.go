package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/libcontainerd-windows/local/test/internal/wined"
)

// An outcome is what one test did on one daemon.
type outcome string

const (
	pass outcome = "pass"
	fail outcome = "fail"
	skip outcome = "skip"
	// none: the binary ended (a panic, its timeout) before the test
	// reported.
	none outcome = "none"
)

// binaryTimeout bounds one run of a test binary (moby's CI gives a suite
// far less); a hung test is a failure of its binary's unfinished tests,
// not a stuck run.
const binaryTimeout = 30 * time.Minute

// runBoth runs the unit's binary with -test.run pattern on both daemons at
// once, its output in the logs as NAME-DAEMON.log, and returns each
// daemon's outcomes of the tests at the unit's counted depth.
func (h *harness) runBoth(ctx context.Context, u unit, pattern, logName string) (stock, ours map[string]outcome) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); stock = h.runOn(ctx, h.stock, u, pattern, logName) }()
	go func() { defer wg.Done(); ours = h.runOn(ctx, h.ours, u, pattern, logName) }()
	wg.Wait()
	return stock, ours
}

// runOn runs the unit's binary against d under Wine.
func (h *harness) runOn(ctx context.Context, d *wined.Daemon, u unit, pattern, logName string) map[string]outcome {
	logPath := filepath.Join(h.logDir, "tests", logName+"-"+d.Name+".log")
	out, err := h.startLog(logPath)
	if err != nil {
		return map[string]outcome{"(log)": none}
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(ctx, binaryTimeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.CLI.Wine, filepath.Join(h.binaries, u.binary()),
		"-test.v", "-test.count=1", "-test.timeout="+binaryTimeout.String(),
		"-test.run="+pattern, "-test.skip="+networked)
	// The tests read their package's testdata, as go test runs them.
	cmd.Dir = filepath.Join(h.tree, u.pkg)
	dest := filepath.Join(h.logDir, "tests", "dest-"+d.Name)
	_ = os.MkdirAll(dest, 0o755)
	cmd.Env = append(append(os.Environ(), proxyEnv()...),
		"DOCKER_HOST="+d.Pipe(),
		"TEST_CLIENT_BINARY="+h.docker,
		"DEST="+wined.WindowsPath(dest),
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(out, "moby tests:", err)
		return nil
	}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(out, "moby tests:", err)
		return nil
	}
	results := parseResults(io.TeeReader(stdout, out), u.counted)
	_, _ = io.Copy(out, stdout) // what a line too long for the parser left
	if err := cmd.Wait(); err != nil {
		fmt.Fprintf(out, "\nmoby tests: the binary ended: %v\n", err)
	}
	return results
}

func (h *harness) startLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}

// A result line of go test -v: "--- PASS: TestX/Sub (1.23s)", indented
// by four spaces a level for subtests.
var resultLine = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+) \(`)

// parseResults reads go test -v output and returns the outcome of each
// test at depth (0: top-level, 1: a subtest of a top-level test).
func parseResults(r io.Reader, depth int) map[string]outcome {
	results := map[string]outcome{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		m := resultLine.FindStringSubmatch(sc.Text())
		if m == nil || strings.Count(m[2], "/") != depth {
			continue
		}
		results[m[2]] = outcome(strings.ToLower(m[1]))
	}
	return results
}
