package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/containerd/log"
	"go.uber.org/goleak"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/golden"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/memhost"
	"github.com/libcontainerd-windows/local/internal/fronttest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The host the repository's golden documents were made on
// (testdata/specs/README.md at the top of the repository).
var goldenHostFlags = []string{"--in-memory", "--host-cpus", "2",
	"--host-path", `C:\layers\base\UtilityVM`, "--host-path", `C:\layers\upper\UtilityVM`}

// result is what one runspec invocation did.
type result struct {
	code                   int
	stdout, stderr, events string
}

func invoke(ctx context.Context, events io.Writer, args ...string) result {
	var stdout, stderr, ev fronttest.SyncBuffer
	if events == nil {
		events = &ev
	} else {
		events = io.MultiWriter(&ev, events)
	}
	code := dispatch(ctx, args, streams{stdout: &stdout, stderr: &stderr, events: events})
	log.L.Logger.SetOutput(io.Discard)
	return result{code, stdout.String(), stderr.String(), ev.String()}
}

var clock = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{3} |"time":"[^"]*"`)

// golden renders a result for a golden file, times masked.
func (r result) golden() string {
	return strings.Join([]string{
		"exit code: " + strconv.Itoa(r.code),
		"--- stdout",
		r.stdout + "--- stderr",
		r.stderr + "--- events",
		clock.ReplaceAllStringFunc(r.events, func(s string) string {
			if strings.HasPrefix(s, `"time"`) {
				return `"time":"TIME"`
			}
			return "HH:MM:SS.mmm "
		}),
	}, "\n")
}

// `runspec config` prints exactly the repository's golden documents, and
// the golden error for every rejected spec.
func TestConfigPrintsTheGoldenDocuments(t *testing.T) {
	files, err := filepath.Glob("../../testdata/specs/*.json")
	assert.NilError(t, err)
	assert.Assert(t, len(files) >= 30)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".golden")
			assert.NilError(t, err)
			r := invoke(context.Background(), nil, append([]string{"config"}, append(goldenHostFlags, file)...)...)
			if strings.HasPrefix(string(want), "error") {
				assert.Equal(t, r.code, exitUsage)
				assert.Equal(t, r.stdout, "")
				// runspec may add a hint after the error.
				assert.Check(t, strings.HasPrefix(r.stderr, string(want)), r.stderr)
				return
			}
			assert.Equal(t, r.code, 0)
			assert.Check(t, !strings.Contains(r.stderr, "error"), r.stderr) // warnings may come
			assert.Equal(t, r.stdout, string(want))
		})
	}
}

func TestRunGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"hello", []string{"../../testdata/specs/process-minimal.json"}},
		{"exit-code", []string{"../../testdata/specs/commandline.json"}},
		{"bundle", []string{"testdata/bundle"}},
		{"id", []string{"--id", "web", "../../testdata/specs/process-minimal.json"}},
		{"json", []string{"--json", "../../testdata/specs/commandline.json"}},
		{"execs", []string{"testdata/specs/reads-stdin.json", "--exec", "cmd /c echo one", "--exec", "cmd /c echo two 1>&2 & exit 5"}},
		{"stats", []string{"--stats", "testdata/specs/reads-stdin.json"}},
		{"pause-hyperv", []string{"--pause", "--json", "testdata/specs/hyperv-reads-stdin.json"}},
		{"pause-process-isolation", []string{"--pause", "testdata/specs/reads-stdin.json"}},
		{"timeout", []string{"--timeout", "1ns", "testdata/specs/server.json"}},
		{"rejected", []string{"../../testdata/specs/root-readonly.json"}},
		{"hyperv-no-uvm", []string{"../../testdata/specs/hyperv-no-uvm.json"}},
		{"missing", []string{"testdata/specs/nope.json"}},
		{"no-spec", []string{}},
		{"two-specs", []string{"a.json", "b.json"}},
		{"bad-flag", []string{"--nope", "a.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"run"}, goldenHostFlags...), tc.args...)
			r := invoke(context.Background(), nil, args...)
			golden.Assert(t, r.golden(), filepath.Join("run", tc.name+".golden"))
		})
	}
}

// Help is the same for every command: the synopsis and the flags, on
// stdout, exit 0. A bad flag says so on stderr, exit 2.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"help", []string{"-h"}},
		{"help-run", []string{"run", "-h"}},
		{"help-config", []string{"config", "--help"}},
		{"help-version", []string{"version", "-h"}},
		{"bad-flag-config", []string{"config", "--nope", "a.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden.Assert(t, invoke(context.Background(), nil, tc.args...).golden(), filepath.Join("cli", tc.name+".golden"))
		})
	}
}

// version names runspec's, Go's, hcsshim's and containerd's versions; the
// numbers are masked, since they differ between the dependency sets.
func TestVersion(t *testing.T) {
	r := invoke(context.Background(), nil, "version")
	versions := regexp.MustCompile(`\(devel\)|v\d+\.\d+\.\d+\S*|go1\.\d+(\.\d+)?\S*|(linux|windows|darwin)/\w+`)
	golden.Assert(t, versions.ReplaceAllString(r.golden(), "VERSION"), filepath.Join("cli", "version.golden"))
}

// Off Windows, runspec says what the in-memory HCS changes: in one line on
// stderr, or, under --json, as one more JSON object: the events stream
// stays pure JSON.
func TestInMemoryNotice(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows runspec drives the machine's HCS")
	}
	commonFlags := goldenHostFlags[1:] // without --in-memory
	r := invoke(context.Background(), nil, append([]string{"config"}, append(commonFlags, "../../testdata/specs/process-minimal.json")...)...)
	assert.Equal(t, r.code, 0)
	assert.Check(t, is.Contains(r.stderr, "the in-memory HCS simulates the processes, and its layer IDs are stand-ins"))
	var doc map[string]any
	assert.NilError(t, json.Unmarshal([]byte(r.stdout), &doc), "stdout is the documents alone")

	r = invoke(context.Background(), nil, append([]string{"run", "--json"}, append(commonFlags, "../../testdata/specs/commandline.json")...)...)
	assert.Equal(t, r.code, 3)
	lines := strings.Split(strings.TrimSpace(r.events), "\n")
	for _, line := range lines {
		var obj map[string]any
		assert.Check(t, json.Unmarshal([]byte(line), &obj), "not JSON: %q", line)
	}
	assert.Check(t, is.Contains(lines[0], `"report":"host"`))
	assert.Check(t, is.Contains(lines[0], "stand-ins"))
	assert.Equal(t, r.stderr, "", "nothing else on stderr")
}

func TestMalformedJSONIsPlaced(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.json")
	assert.NilError(t, os.WriteFile(file, []byte("{\n  \"process\": {\n    \"args\": [1]\n  }\n}\n"), 0o644))
	r := invoke(context.Background(), nil, "config", file)
	assert.Equal(t, r.code, exitUsage)
	assert.Check(t, is.Contains(r.stderr, ".json:3:14: a value of the wrong type: "), "a type mismatch is not malformed JSON")

	assert.NilError(t, os.WriteFile(file, []byte("{\n  \"a\": ,\n}"), 0o644))
	r = invoke(context.Background(), nil, "run", file)
	assert.Equal(t, r.code, exitUsage)
	assert.Check(t, is.Contains(r.stderr, ".json:2:8: malformed JSON: invalid character ','"))
}

func TestUsage(t *testing.T) {
	r := invoke(context.Background(), nil)
	assert.Equal(t, r.code, exitUsage)
	assert.Check(t, is.Contains(r.stderr, "usage:"))
	r = invoke(context.Background(), nil, "help")
	assert.Equal(t, r.code, 0)
	assert.Check(t, is.Contains(r.stdout, "runspec run"))
	r = invoke(context.Background(), nil, "frobnicate")
	assert.Equal(t, r.code, exitUsage)
	r = invoke(context.Background(), nil, "config")
	assert.Equal(t, r.code, exitUsage)
}

// Ctrl-C stops the container gracefully and deletes it: nothing is left
// on the host.
func TestInterruptStopsAndDeletes(t *testing.T) {
	var host *memhost.Host
	newMemoryHost = func(cpus int, paths ...string) *memhost.Host {
		host = memhost.New(cpus, paths...)
		return host
	}
	defer func() { newMemoryHost = memhost.New }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interrupt := writerFunc(func(p []byte) {
		if bytes.Contains(p, []byte("start ")) {
			cancel() // Ctrl-C once the task runs
		}
	})
	r := invoke(ctx, interrupt, append([]string{"run"}, append(goldenHostFlags, "testdata/specs/server.json")...)...)
	assert.Equal(t, r.code, memhost.ExitCodeShutdown)
	assert.Check(t, is.Contains(r.events, "interrupted: stopping the container"))
	assert.Check(t, is.Len(host.Systems(), 0))
	assert.Equal(t, host.OpenHandles(), 0)
}

// A container that ignores the graceful stop is killed after the grace
// period.
func TestStopEscalatesToSIGKILL(t *testing.T) {
	var host *memhost.Host
	newMemoryHost = func(cpus int, paths ...string) *memhost.Host {
		host = memhost.New(cpus, paths...)
		// The shutdown is accepted and never happens.
		host.Inject(memhost.Fault{Op: memhost.OpShutdown, Err: errPendingForever})
		return host
	}
	defer func() { newMemoryHost = memhost.New }()
	r := invoke(context.Background(), nil, append([]string{"run"}, append(goldenHostFlags, "--timeout", "1ns", "--grace", "1ms", "testdata/specs/server.json")...)...)
	assert.Equal(t, r.code, memhost.DefaultTerminateExitCode)
	assert.Equal(t, host.Calls(memhost.OpTerminate) >= 1, true)
	assert.Check(t, is.Len(host.Systems(), 0))
}

var errPendingForever = hcs.WithClass(hcs.ErrPending, errors.New("accepted, never done"))

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// Ctrl-C while an exec runs stops the container as it does otherwise: the
// exec is not waited for, and the container's exit is the graceful stop's.
func TestInterruptWhileAnExecRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interrupt := writerFunc(func(p []byte) {
		if bytes.Contains(p, []byte("exec-started")) {
			cancel()
		}
	})
	r := invoke(ctx, interrupt, append([]string{"run"}, append(goldenHostFlags, "--exec", "ping -t localhost", "testdata/specs/server.json")...)...)
	assert.Equal(t, r.code, memhost.ExitCodeShutdown)
	assert.Check(t, is.Contains(r.events, "exec-started container=server process=exec-1"))
	assert.Check(t, is.Contains(r.events, "interrupted: stopping the container"))
	assert.Check(t, is.Contains(r.events, "exit         container=server process=server"))
}

// A container whose id is an exec's name (exec-1) still has its exit
// waited for: the exec takes another name. testdata/specs/exec-1.json is
// reads-stdin.json under the name that gives that id.
func TestContainerNamedLikeAnExec(t *testing.T) {
	for _, args := range [][]string{
		{"--id", "exec-1", "testdata/specs/reads-stdin.json"},
		{"testdata/specs/exec-1.json"},
	} {
		r := invoke(context.Background(), nil, append([]string{"run"}, append(goldenHostFlags, append([]string{"--exec", "cmd /c exit 5"}, args...)...)...)...)
		assert.Equal(t, r.code, 4, "%v: %s", args, r.events)
		assert.Check(t, is.Contains(r.events, "exit         container=exec-1 process=exec-1-2 pid="))
		assert.Check(t, is.Contains(r.events, "exit         container=exec-1 process=exec-1 pid="))
	}
}

// --timeout counts while an exec runs: the container is stopped gracefully
// (its exit code is the graceful stop's) rather than waiting for the exec.
func TestTimeoutWhileAnExecRuns(t *testing.T) {
	r := invoke(context.Background(), nil, append([]string{"run"}, append(goldenHostFlags, "--timeout", "200ms", "--exec", "ping -t localhost", "testdata/specs/server.json")...)...)
	assert.Equal(t, r.code, memhost.ExitCodeShutdown)
	assert.Check(t, is.Contains(r.events, "timed out after 200ms: stopping the container"))
	assert.Check(t, is.Contains(r.events, "exit         container=server process=server"))
}

// Flag values that mean nothing, and arguments where none are taken, are
// usage errors.
func TestFlagChecks(t *testing.T) {
	spec := "../../testdata/specs/process-minimal.json"
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"version", "extra"}, "takes no arguments"},
		{[]string{"run", "--exec", "", spec}, "--exec wants a command line"},
		{[]string{"run", "--exec", "  ", spec}, "--exec wants a command line"},
		{[]string{"run", "--host-cpus", "-1", spec}, "--host-cpus -1"},
		{[]string{"config", "--host-cpus", "-2", spec}, "--host-cpus -2"},
		{[]string{"run", "--timeout", "-1s", spec}, "want durations of 0 or more"},
		{[]string{"run", "--grace", "-1s", spec}, "want durations of 0 or more"},
	} {
		r := invoke(context.Background(), nil, tc.args...)
		assert.Equal(t, r.code, exitUsage, "%v", tc.args)
		assert.Check(t, is.Contains(r.stderr, tc.says), "%v", tc.args)
	}
}

// "-" reads the spec from stdin; a spec larger than any runtime spec is
// refused without reading it all.
func TestSpecFromStdinAndItsSize(t *testing.T) {
	data, err := os.ReadFile("../../testdata/specs/process-minimal.json")
	assert.NilError(t, err)
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), append([]string{"config", "--id", "process-minimal"}, append(goldenHostFlags, "-")...),
		streams{stdin: bytes.NewReader(data), stdout: &stdout, stderr: &stderr, events: &stderr})
	assert.Equal(t, code, 0, stderr.String())
	want, err := os.ReadFile("../../testdata/specs/process-minimal.golden")
	assert.NilError(t, err)
	assert.Equal(t, stdout.String(), string(want))

	stdout.Reset()
	stderr.Reset()
	endless := io.MultiReader(strings.NewReader("{"), neverEnding(' '))
	code = dispatch(context.Background(), []string{"config", "-"}, streams{stdin: endless, stdout: &stdout, stderr: &stderr, events: &stderr})
	assert.Equal(t, code, exitUsage)
	assert.Check(t, is.Contains(stderr.String(), "stdin: larger than 16 MiB"))
}

// neverEnding reads as an endless run of one byte, as /dev/zero does.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// With --json, every line runspec writes on stderr is a JSON object: the
// events, its reports and complaints, the backend's log (--debug: all of
// it) and the process's own stderr, for every shipped spec.
func TestJSONIsAllJSON(t *testing.T) {
	specs, err := filepath.Glob("../../testdata/specs/*.json")
	assert.NilError(t, err)
	more, err := filepath.Glob("testdata/specs/*.json")
	assert.NilError(t, err)
	runs := [][]string{
		{"--stats", "--exec", "cmd /c echo out & echo err 1>&2 & exit 4", "testdata/specs/reads-stdin.json"},
		{"testdata/specs/nope.json"},
		{"--pause", "testdata/specs/reads-stdin.json"},
	}
	for _, spec := range append(specs, more...) {
		runs = append(runs, []string{"--timeout", "1ns", spec})
	}
	for _, run := range runs {
		args := append(append([]string{"run", "--json", "--debug"}, goldenHostFlags...), run...)
		r := invoke(context.Background(), nil, args...)
		lines := strings.Split(strings.TrimSuffix(r.stderr+r.events, "\n"), "\n")
		for _, line := range lines {
			if line == "" {
				continue
			}
			var v map[string]any
			assert.Check(t, json.Unmarshal([]byte(line), &v), "%v: %q", run, line)
		}
	}
	r := invoke(context.Background(), nil, append(append([]string{"run", "--json", "--stats"}, goldenHostFlags...),
		"--exec", "cmd /c echo err 1>&2", "testdata/specs/reads-stdin.json")...)
	assert.Check(t, is.Contains(r.events, `"process":"exec-1","stderr":"err\n"`))
	assert.Check(t, is.Contains(r.events, `"stats":{"memoryCommitBytes":`))
	assert.Check(t, is.Contains(r.events, `"top":{"pid":`))
}
