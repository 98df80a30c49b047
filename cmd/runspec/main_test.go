package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/containerd/log"
	"go.uber.org/goleak"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/golden"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
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

// syncBuffer is a buffer several goroutines write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func invoke(ctx context.Context, events io.Writer, args ...string) result {
	var stdout, stderr, ev syncBuffer
	if events == nil {
		events = &ev
	} else {
		events = io.MultiWriter(&ev, events)
	}
	code := runMain(ctx, args, streams{stdout: &stdout, stderr: &stderr, events: events})
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
				assert.Equal(t, r.stderr, string(want))
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
		{"pause-hyperv", []string{"--pause", "--json", "testdata/specs/hyperv-server.json", "--timeout", "1ns"}},
		{"pause-process-isolation", []string{"--pause", "testdata/specs/reads-stdin.json"}},
		{"timeout", []string{"--timeout", "1ns", "testdata/specs/server.json"}},
		{"rejected", []string{"../../testdata/specs/root-readonly.json"}},
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

func TestMalformedJSONIsPlaced(t *testing.T) {
	// Not t.TempDir: removing directories fails under Wine, where these
	// tests also run.
	f, err := os.CreateTemp("", "bad*.json")
	assert.NilError(t, err)
	file := f.Name()
	assert.NilError(t, f.Close())
	t.Cleanup(func() { _ = os.Remove(file) })
	assert.NilError(t, os.WriteFile(file, []byte("{\n  \"process\": {\n    \"args\": [1]\n  }\n}\n"), 0o644))
	r := invoke(context.Background(), nil, "config", file)
	assert.Equal(t, r.code, exitUsage)
	assert.Check(t, is.Contains(r.stderr, ".json:3:14: malformed JSON"))

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
	var host *hcsfake.Host
	newMemoryHost = func(cpus int, paths ...string) *hcsfake.Host {
		host = hcsfake.New(cpus, paths...)
		return host
	}
	defer func() { newMemoryHost = hcsfake.New }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interrupt := writerFunc(func(p []byte) {
		if bytes.Contains(p, []byte("start ")) {
			cancel() // Ctrl-C once the task runs
		}
	})
	r := invoke(ctx, interrupt, append([]string{"run"}, append(goldenHostFlags, "testdata/specs/server.json")...)...)
	assert.Equal(t, r.code, hcsfake.ExitCodeShutdown)
	assert.Check(t, is.Contains(r.events, "interrupted: stopping the container"))
	assert.Check(t, is.Len(host.Systems(), 0))
	assert.Equal(t, host.OpenHandles(), 0)
}

// A container that ignores the graceful stop is killed after the grace
// period.
func TestStopEscalatesToSIGKILL(t *testing.T) {
	var host *hcsfake.Host
	newMemoryHost = func(cpus int, paths ...string) *hcsfake.Host {
		host = hcsfake.New(cpus, paths...)
		// The shutdown is accepted and never happens.
		host.Inject(hcsfake.Fault{Op: hcsfake.OpShutdown, Err: errPendingForever})
		return host
	}
	defer func() { newMemoryHost = hcsfake.New }()
	r := invoke(context.Background(), nil, append([]string{"run"}, append(goldenHostFlags, "--timeout", "1ns", "--grace", "1ms", "testdata/specs/server.json")...)...)
	assert.Equal(t, r.code, hcsfake.DefaultTerminateExitCode)
	assert.Equal(t, host.Calls(hcsfake.OpTerminate) >= 1, true)
	assert.Check(t, is.Len(host.Systems(), 0))
}

var errPendingForever = hcs.WithClass(hcs.ErrPending, errors.New("accepted, never done"))

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
