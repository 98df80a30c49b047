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
	"sort"
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
	// hang: it ran longer than testHang and was ended.
	hang outcome = "hang"
	// none: the binary ended (a panic, its timeout) before the test
	// reported.
	none outcome = "none"
)

// testHang bounds one test: moby's tests that wait on the emulator for
// what it cannot do (a container writing into a host's named pipe) wait
// for ever. A test running longer is ended with its binary and recorded as
// a hang, and the binary runs again for the tests it had not come to.
// moby's slowest Windows tests take a minute under Wine.
const testHang = 3 * time.Minute

// binaryTimeout bounds one run of a test binary, past testHang, in case its
// output stops altogether.
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

// runOn runs the unit's binary against d under Wine, again after each hang
// for the tests not yet reported.
func (h *harness) runOn(ctx context.Context, d *wined.Daemon, u unit, pattern, logName string) map[string]outcome {
	results := map[string]outcome{}
	for attempt := 1; ; attempt++ {
		name := logName + "-" + d.Name
		if attempt > 1 {
			name = fmt.Sprintf("%s-%s-after-hang%d", logName, d.Name, attempt-1)
		}
		hung := h.runOnce(ctx, d, u, pattern, skipPattern(u, results), filepath.Join(h.logDir, "tests", name+".log"), results)
		if len(hung) == 0 {
			return results
		}
		for _, t := range hung {
			if results[t] == hang {
				// Skipped, and yet it ran: -test.skip did not name it.
				return results
			}
			results[t] = hang
		}
	}
}

// skipPattern is -test.skip: the networked tests, the unit's known hangs,
// and its tests at the unit's depth already reported.
func skipPattern(u unit, done map[string]outcome) string {
	var names []string
	parent := ""
	add := func(name string) {
		parts := strings.Split(name, "/")
		parent = strings.Join(parts[:len(parts)-1], "/")
		names = append(names, regexp.QuoteMeta(parts[len(parts)-1]))
	}
	for _, h := range hangsOf(u) {
		add(h.test)
	}
	for name := range done {
		add(name)
	}
	if len(names) == 0 {
		return networked
	}
	sort.Strings(names)
	last := "^(" + strings.Join(names, "|") + ")$"
	if parent != "" {
		last = testPattern(parent) + "/" + last
	}
	return networked + "|" + last
}

// runOnce runs the binary once, adding the tests' outcomes to results,
// and returns the tests it ended as hung, none when the binary ended by
// itself.
func (h *harness) runOnce(ctx context.Context, d *wined.Daemon, u unit, pattern, skip, logPath string, results map[string]outcome) (hung []string) {
	out, err := h.startLog(logPath)
	if err != nil {
		return nil
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(ctx, binaryTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.CLI.Wine, filepath.Join(h.binaries, u.binary()),
		"-test.v", "-test.count=1", "-test.timeout="+binaryTimeout.String(),
		"-test.run="+pattern, "-test.skip="+skip)
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
	w := newWatch(u.counted)
	stop := make(chan struct{})
	watched := make(chan []string, 1)
	go func() {
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				watched <- nil
				return
			case now := <-tick.C:
				if long := w.runningSince(now.Add(-testHang)); len(long) > 0 {
					fmt.Fprintf(out, "\nmoby tests: ended: %s ran longer than %s\n", strings.Join(long, ", "), testHang)
					cancel()
					watched <- long
					return
				}
			}
		}
	}()
	w.read(io.TeeReader(stdout, out), results)
	_, _ = io.Copy(out, stdout) // what a line too long for the reader left
	if err := cmd.Wait(); err != nil {
		fmt.Fprintf(out, "\nmoby tests: the binary ended: %v\n", err)
	}
	close(stop)
	return <-watched
}

func (h *harness) startLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}

// Lines of go test -v: a test starting, pausing (t.Parallel) or going on,
// and its result, "--- PASS: TestX/Sub (1.23s)", indented by four spaces a
// level for subtests.
var (
	stateLine  = regexp.MustCompile(`^=== (RUN|PAUSE|CONT)\s+(\S+)`)
	resultLine = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+) \(`)
)

// A watch follows go test -v output: the tests at its depth running, since
// when, and their results. A test runs from its RUN line (or its CONT line,
// after t.Parallel's PAUSE) until its result, or until the next RUN line
// at its depth when it is not parallel: moby's suites print their tests'
// results only when the whole suite ends.
type watch struct {
	depth   int
	mu      sync.Mutex
	running map[string]running
}

type running struct {
	since    time.Time
	parallel bool
}

func newWatch(depth int) *watch { return &watch{depth: depth, running: map[string]running{}} }

// read reads the output to its end, adding results.
func (w *watch) read(r io.Reader, results map[string]outcome) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := stateLine.FindStringSubmatch(line); m != nil && strings.Count(m[2], "/") == w.depth {
			w.mu.Lock()
			switch m[1] {
			case "RUN":
				for name, r := range w.running {
					if !r.parallel {
						delete(w.running, name)
					}
				}
				w.running[m[2]] = running{since: time.Now()}
			case "PAUSE":
				delete(w.running, m[2])
			case "CONT":
				w.running[m[2]] = running{since: time.Now(), parallel: true}
			}
			w.mu.Unlock()
		}
		if m := resultLine.FindStringSubmatch(line); m != nil && strings.Count(m[2], "/") == w.depth {
			w.mu.Lock()
			delete(w.running, m[2])
			w.mu.Unlock()
			results[m[2]] = outcome(strings.ToLower(m[1]))
		}
	}
}

// runningSince lists the tests running since before t.
func (w *watch) runningSince(t time.Time) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var long []string
	for name, r := range w.running {
		if r.since.Before(t) {
			long = append(long, name)
		}
	}
	sort.Strings(long)
	return long
}

// parseResults reads go test -v output and returns the outcome of each
// test at depth (0: top-level, 1: a subtest of a top-level test).
func parseResults(r io.Reader, depth int) map[string]outcome {
	results := map[string]outcome{}
	newWatch(depth).read(r, results)
	return results
}
