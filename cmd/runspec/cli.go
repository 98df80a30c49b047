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
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/memhost"
)

// Exit codes of runspec itself; `run` otherwise exits with the container's.
const (
	exitFailure = 1   // config: the backend or host failed
	exitUsage   = 2   // bad flags, or a spec that cannot be read or is rejected
	exitRun     = 125 // run: runspec or the backend failed, as `docker run`
)

// streams are where runspec reads a SPEC of "-" (stdin) and writes: the
// container's output to stdout and stderr, events and reports to events.
type streams struct {
	stdin                  io.Reader
	stdout, stderr, events io.Writer
}

const usage = `usage:
  runspec config [flags] SPEC   print the HCS documents the backend sends for SPEC
  runspec run [flags] SPEC      run SPEC's container and print its events and output
  runspec version               print the versions runspec was built with

SPEC is a config.json file or an OCI bundle directory.
Run 'runspec COMMAND -h' for a command's flags.
`

// The synopses the commands' help starts with.
const (
	configSynopsis = `runspec config [flags] SPEC

Print the HCS documents the backend sends for SPEC, a config.json file or
an OCI bundle directory: the container's and its init process's, as JSON.
A rejected spec prints its error, which names the field, and exits 2.`
	runSynopsis = `runspec run [flags] SPEC

Run SPEC's container, a config.json file or an OCI bundle directory, to its
end: print its events (on stderr, or as JSON with --json) and its output,
delete it, and exit with its exit code. A rejected spec or bad flags exit
2, a failure of runspec or the backend 125. Ctrl-C or --timeout stop the
container as docker stop does.`
)

// dispatch runs the command args name, with the rest of args, and returns
// the exit code.
func dispatch(ctx context.Context, args []string, s streams) int {
	if len(args) == 0 {
		fmt.Fprint(s.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "config":
		return configCommand(ctx, args[1:], s)
	case "run":
		return runCommand(ctx, args[1:], s)
	case "version":
		return versionCommand(args[1:], s)
	case "help", "-h", "--help":
		fmt.Fprint(s.stdout, usage)
		return 0
	}
	fmt.Fprintf(s.stderr, "runspec: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

// commonFlags are the flags the commands that take a spec share: the host
// they run on, the container's id and the log.
type commonFlags struct {
	cpus     int
	paths    stringList
	inMemory bool
	id       string
	debug    bool
}

func (h *commonFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&h.cpus, "host-cpus", 0, "the in-memory host's processor count (default: this machine's)")
	fs.Var(&h.paths, "host-path", "a Windows `PATH` that exists on the in-memory host (repeatable); for a Hyper-V spec, a layer's UtilityVM folder such as C:\\layers\\base\\UtilityVM")
	fs.BoolVar(&h.inMemory, "in-memory", false, "use the in-memory HCS even on Windows")
	fs.StringVar(&h.id, "id", "", "the container id (default: the spec's file or bundle name)")
	fs.BoolVar(&h.debug, "debug", false, "show the backend's log on stderr")
}

// check refuses flag values that mean nothing.
func (h *commonFlags) check() error {
	if h.cpus < 0 {
		return fmt.Errorf("--host-cpus %d: want a count of processors, or 0 for this machine's", h.cpus)
	}
	return nil
}

// setUpLog keeps the backend's log to warnings unless --debug asks for all,
// as JSON objects when asJSON is set.
func (h *commonFlags) setUpLog(s streams, asJSON bool) {
	level := "warn"
	if h.debug {
		level = "debug"
	}
	_ = log.SetLevel(level)
	format := log.TextFormat
	if asJSON {
		format = log.JSONFormat
	}
	_ = log.SetFormat(format)
	log.L.Logger.SetOutput(s.stderr)
}

// host returns the host to run on: the machine's HCS where there is one
// and --in-memory is not set, else the in-memory HCS. notice is what a
// person should know when runspec fell back to the in-memory HCS by
// itself, off Windows; "" otherwise.
func (h *commonFlags) host() (host hcs.Host, notice string, err error) {
	if !h.inMemory {
		host, err := local.MachineHost()
		if err == nil {
			return host, "", nil
		}
		if !hasClass[interface{ NotImplemented() }](err) {
			return nil, "", err
		}
		notice = "no HCS on " + runtime.GOOS + ": the in-memory HCS simulates the processes, and its layer IDs are stand-ins (the real NameToGuid lives in vmcompute.dll)"
	}
	cpus := h.cpus
	if cpus <= 0 {
		cpus = runtime.NumCPU()
	}
	return newMemoryHost(cpus, h.paths...), notice, nil
}

// newMemoryHost makes the in-memory host; tests replace it to look inside.
var newMemoryHost = memhost.New

// utilityVMHint says, for a Hyper-V spec without a Utility VM, where the
// backend looked and, on the in-memory host, the flag that provides one;
// "" for any other error.
func utilityVMHint(err error, host hcs.Host) string {
	var uvm *local.UtilityVMNotFoundError
	if !errors.As(err, &uvm) || len(uvm.Paths) == 0 {
		return ""
	}
	hint := "runspec: looked for a Utility VM at " + strings.Join(uvm.Paths, ", ")
	if _, inMemory := host.(*memhost.Host); inMemory {
		hint += fmt.Sprintf("; on the in-memory host, --host-path '%s' provides one", uvm.Paths[0])
	}
	return hint + "\n"
}

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
	fs.SetOutput(s.stderr) // the flag package's word on a bad flag
	fs.Usage = func() {}   // parse prints the help
	return fs
}

// parse parses a command's arguments. -h prints the command's help on
// stdout and ends it with 0; a bad flag, after the flag package's word on
// it, prints the synopsis's first line on stderr and ends it with 2.
func parse(fs *flag.FlagSet, synopsis string, args []string, s streams) (positional []string, code int, ok bool) {
	positional, err := parseArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(s.stdout, "usage: %s\n", synopsis)
		flags := 0
		fs.VisitAll(func(*flag.Flag) { flags++ })
		if flags > 0 {
			fmt.Fprint(s.stdout, "\nflags:\n")
			fs.SetOutput(s.stdout)
			fs.PrintDefaults()
		}
		return nil, 0, false
	case err != nil:
		first, _, _ := strings.Cut(synopsis, "\n")
		fmt.Fprintf(s.stderr, "usage: %s\nRun '%s -h' for the flags.\n", first, fs.Name())
		return nil, exitUsage, false
	}
	return positional, 0, true
}

// versionCommand, `runspec version`, prints runspec's version, the Go it was built with and the
// versions of the modules that matter to what it sends: hcsshim and
// containerd.
func versionCommand(args []string, s streams) int {
	fs := newFlagSet("version", s)
	positional, code, ok := parse(fs, "runspec version\n\nPrint the versions runspec was built with.", args, s)
	if !ok {
		return code
	}
	if len(positional) > 0 {
		fmt.Fprintf(s.stderr, "runspec version: takes no arguments, got %q\n", positional)
		return exitUsage
	}
	version, deps := "(unknown)", map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		version = info.Main.Version
		for _, d := range info.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			deps[d.Path] = d.Version
		}
	}
	fmt.Fprintf(s.stdout, "runspec %s\n%s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, m := range []string{"github.com/Microsoft/hcsshim", "github.com/containerd/containerd"} {
		if v, ok := deps[m]; ok {
			fmt.Fprintf(s.stdout, "%s %s\n", m, v)
		}
	}
	return 0
}

// maxSpecSize bounds what runspec reads of a SPEC: a runtime spec is a few
// kilobytes, and a path to a device or an endless pipe must not exhaust
// memory.
const maxSpecSize = 16 << 20

// loadSpec reads SPEC, a config.json file, a bundle directory, or "-" for
// stdin, and the container id it implies. Its errors say what a person can
// fix.
func loadSpec(path, id string, stdin io.Reader) (*specs.Spec, string, error) {
	var r io.Reader
	switch info, err := os.Stat(path); {
	case path == "-":
		if id == "" {
			id = "stdin"
		}
		if stdin == nil {
			stdin = strings.NewReader("")
		}
		r, path = stdin, "stdin"
	case err == nil && info.IsDir():
		if id == "" {
			id = filepath.Base(filepath.Clean(path))
		}
		path = filepath.Join(path, "config.json")
	case id == "":
		id = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if r == nil {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			// The same words on every OS.
			return nil, "", fmt.Errorf("%s: no such file or directory", path)
		}
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxSpecSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxSpecSize {
		return nil, "", fmt.Errorf("%s: larger than %d MiB, which no runtime spec is", path, maxSpecSize>>20)
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
	what := "malformed JSON"
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
		what = "a value of the wrong type"
	default:
		return fmt.Errorf("%s: %w", path, err)
	}
	before := data[:min(int(offset), len(data))]
	// The offset is just past the byte the decoder choked on.
	line := 1 + strings.Count(string(before), "\n")
	column := len(before) - strings.LastIndex(string(before), "\n") - 1
	return fmt.Errorf("%s:%d:%d: %s: %w", path, line, column, what, err)
}

// describe is an error as runspec reports it: with its class when the
// backend gave it one.
func describe(err error) string {
	for _, c := range []struct {
		is   func(error) bool
		name string
	}{
		{hasClass[interface{ InvalidParameter() }], "invalid parameter"},
		{hasClass[interface{ NotFound() }], "not found"},
		{hasClass[interface{ Conflict() }], "conflict"},
		{hasClass[interface{ NotModified() }], "not modified"},
		{hasClass[interface{ NotImplemented() }], "not implemented"},
	} {
		if c.is(err) {
			return "error (" + c.name + "): " + err.Error()
		}
	}
	return "error: " + err.Error()
}

// hasClass reports whether err or an error it wraps has class C's method,
// as moby's errdefs finds the backend's classes.
func hasClass[C any](err error) bool {
	var c C
	return errors.As(err, &c)
}

func isInvalidParameter(err error) bool { return hasClass[interface{ InvalidParameter() }](err) }

// configCommand is `runspec config`: configSynopsis says what it does.
func configCommand(ctx context.Context, args []string, s streams) int {
	fs := newFlagSet("config", s)
	var hf commonFlags
	hf.register(fs)
	positional, code, ok := parse(fs, configSynopsis, args, s)
	if !ok {
		return code
	}
	if len(positional) != 1 {
		fmt.Fprintf(s.stderr, "runspec config: want one SPEC, got %d\n", len(positional))
		return exitUsage
	}
	if err := hf.check(); err != nil {
		fmt.Fprintf(s.stderr, "runspec config: %v\n", err)
		return exitUsage
	}
	spec, id, err := loadSpec(positional[0], hf.id, s.stdin)
	if err != nil {
		fmt.Fprintf(s.stderr, "runspec: %v\n", err)
		return exitUsage
	}
	hf.setUpLog(s, false)
	host, notice, err := hf.host()
	if err != nil {
		fmt.Fprintf(s.stderr, "runspec: %v\n", err)
		return exitFailure
	}
	if notice != "" {
		fmt.Fprintf(s.stderr, "runspec: %s\n", notice)
	}
	config, process, err := local.Documents(ctx, id, spec, host)
	if err != nil {
		fmt.Fprintln(s.stderr, describe(err))
		fmt.Fprint(s.stderr, utilityVMHint(err, host))
		if isInvalidParameter(err) {
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
