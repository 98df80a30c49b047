package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// Exit codes of runspec itself; `run` otherwise exits with the container's.
const (
	exitFailure = 1   // config: the backend or host failed
	exitUsage   = 2   // bad flags, or a spec that cannot be read or is rejected
	exitRun     = 125 // run: runspec or the backend failed, as `docker run`
)

// streams are where runspec writes: the container's output to stdout and
// stderr, events and reports to events.
type streams struct {
	stdout, stderr, events io.Writer
}

const usage = `usage:
  runspec config [flags] SPEC   print the HCS documents the backend sends for SPEC
  runspec run [flags] SPEC      run SPEC's container and print its events and output

SPEC is a config.json file or an OCI bundle directory.
`

func runMain(ctx context.Context, args []string, s streams) int {
	if len(args) == 0 {
		fmt.Fprint(s.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "config":
		return configMain(ctx, args[1:], s)
	case "run":
		return runCommand(ctx, args[1:], s)
	case "help", "-h", "--help":
		fmt.Fprint(s.stdout, usage)
		return 0
	}
	fmt.Fprintf(s.stderr, "runspec: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

// hostFlags are the flags that choose and describe the host.
type hostFlags struct {
	cpus     int
	paths    stringList
	inMemory bool
	id       string
	debug    bool
}

func (h *hostFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&h.cpus, "host-cpus", 0, "the in-memory host's processor count (default: this machine's)")
	fs.Var(&h.paths, "host-path", "a Windows path that exists on the in-memory host (repeatable), e.g. `C:\\layers\\base\\UtilityVM`")
	fs.BoolVar(&h.inMemory, "in-memory", false, "use the in-memory HCS even on Windows")
	fs.StringVar(&h.id, "id", "", "the container id (default: the spec's file or bundle name)")
	fs.BoolVar(&h.debug, "debug", false, "show the backend's log on stderr")
}

// setUpLog keeps the backend's log to warnings unless --debug asks for all.
func (h *hostFlags) setUpLog(s streams) {
	level := "warn"
	if h.debug {
		level = "debug"
	}
	_ = log.SetLevel(level)
	log.L.Logger.SetOutput(s.stderr)
}

// host returns the host to run on: the machine's HCS where there is one
// and --in-memory is not set, else the in-memory HCS, which it says on
// stderr.
func (h *hostFlags) host(s streams) (hcs.Host, error) {
	if !h.inMemory {
		host, err := local.MachineHost()
		if err == nil {
			return host, nil
		}
		if !cerrdefs.IsNotImplemented(err) {
			return nil, err
		}
		fmt.Fprintf(s.stderr, "runspec: using the in-memory HCS (%v)\n", err)
	}
	cpus := h.cpus
	if cpus <= 0 {
		cpus = runtime.NumCPU()
	}
	return newMemoryHost(cpus, h.paths...), nil
}

// newMemoryHost makes the in-memory host; tests replace it to look inside.
var newMemoryHost = hcsfake.New

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// parseArgs parses flags that may come before and after the positional
// arguments, which it returns.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, s streams) *flag.FlagSet {
	fs := flag.NewFlagSet("runspec "+name, flag.ContinueOnError)
	fs.SetOutput(s.stderr)
	return fs
}

// loadSpec reads SPEC, a config.json file or a bundle directory, and the
// container id it implies. Its errors say what a person can fix.
func loadSpec(path, id string) (*specs.Spec, string, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		if id == "" {
			id = filepath.Base(filepath.Clean(path))
		}
		path = filepath.Join(path, "config.json")
	} else if id == "" {
		id = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		// The same words on every OS.
		return nil, "", fmt.Errorf("%s: no such file or directory", path)
	}
	if err != nil {
		return nil, "", err
	}
	var spec *specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, "", jsonError(path, data, err)
	}
	return spec, id, nil
}

// jsonError places a decoding error at its line and column.
func jsonError(path string, data []byte, err error) error {
	var offset int64
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return fmt.Errorf("%s: %w", path, err)
	}
	before := data[:min(int(offset), len(data))]
	// The offset is just past the byte the decoder choked on.
	line := 1 + strings.Count(string(before), "\n")
	column := len(before) - strings.LastIndex(string(before), "\n") - 1
	return fmt.Errorf("%s:%d:%d: malformed JSON: %w", path, line, column, err)
}

// describe is an error as runspec reports it: with its class when the
// backend gave it one.
func describe(err error) string {
	for _, c := range []struct {
		is   func(error) bool
		name string
	}{
		{cerrdefs.IsInvalidArgument, "invalid parameter"},
		{cerrdefs.IsNotFound, "not found"},
		{cerrdefs.IsConflict, "conflict"},
		{cerrdefs.IsNotModified, "not modified"},
		{cerrdefs.IsNotImplemented, "not implemented"},
	} {
		if c.is(err) {
			return "error (" + c.name + "): " + err.Error()
		}
	}
	return "error: " + err.Error()
}

func configMain(ctx context.Context, args []string, s streams) int {
	fs := newFlagSet("config", s)
	var hf hostFlags
	hf.register(fs)
	positional, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(positional) != 1 {
		fmt.Fprintf(s.stderr, "runspec config: want one SPEC, got %d\n", len(positional))
		return exitUsage
	}
	spec, id, err := loadSpec(positional[0], hf.id)
	if err != nil {
		fmt.Fprintf(s.stderr, "runspec: %v\n", err)
		return exitUsage
	}
	hf.setUpLog(s)
	host, err := hf.host(s)
	if err != nil {
		fmt.Fprintf(s.stderr, "runspec: %v\n", err)
		return exitFailure
	}
	config, process, err := local.Documents(ctx, id, spec, host)
	if err != nil {
		fmt.Fprintln(s.stderr, describe(err))
		if cerrdefs.IsInvalidArgument(err) {
			return exitUsage
		}
		return exitFailure
	}
	enc := json.NewEncoder(s.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Container *hcs.ContainerConfig
		Process   *hcs.ProcessConfig
	}{config, process}); err != nil {
		fmt.Fprintf(s.stderr, "runspec: %v\n", err)
		return exitFailure
	}
	return 0
}

// lockedWriter lets the copies of several processes' output share a writer.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// now is when runspec prints things happen.
func now() time.Time { return time.Now() }
