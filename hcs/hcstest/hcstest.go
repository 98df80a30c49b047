// Package hcstest is the conformance suite of the hcs contract: Run checks
// an implementation of hcs.Host, clause by clause, against what the
// contract on the hcs interfaces says. It runs against the in-memory host
// in every go test, and against the real HCS through the Windows binding.
// Anyone who implements hcs.Host can run it:
//
//	func TestConformance(t *testing.T) {
//		hcstest.Run(t, hcstest.Config{NewHost: ..., System: ...})
//	}
package hcstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libcontainerd-windows/local/hcs"
)

// bg is the context of the calls the clauses expect HCS to answer.
var bg = context.Background()

// Config describes the host under test.
type Config struct {
	// Name names the host in the summary Run logs.
	Name string
	// NewHost returns the host under test; each clause gets its own call.
	NewHost func(t *testing.T) hcs.Host
	// System returns the document of a process-isolated system the host
	// can create and start, for id.
	System func(t *testing.T, id string) *hcs.ContainerConfig
	// HyperVSystem returns the document of a Hyper-V isolated one; nil
	// when the host runs none, and the clauses that need one are skipped.
	HyperVSystem func(t *testing.T, id string) *hcs.ContainerConfig
	// ExistingPath is a path that exists on the host ("" skips the clause).
	ExistingPath string
	// Commands run in the systems; its zero fields take the defaults,
	// which Windows and the in-memory host both run.
	Commands Commands
	// Holder returns what holds calls inside host as a hung HCS does, for
	// the clauses of the context; nil skips them (the real HCS cannot be
	// made to hang).
	Holder func(t *testing.T, host hcs.Host) Holder
}

// A Holder holds calls inside a host, as an HCS that does not answer
// does. Operations are named as the seam's methods are: "Statistics",
// "CreateProcess", "Close" for a system's, "Process.Kill" and
// "Process.Close" for a process's.
type Holder interface {
	// Hold makes the next call of op wait inside the host until Release.
	Hold(op string)
	// AwaitHeld blocks until a call of op that Hold holds is inside the
	// host.
	AwaitHeld(op string)
	// Release lets every held call go on and do its work.
	Release()
	// Calls is how many calls of op the host received so far.
	Calls(op string) int
	// OpenHandles is how many handles on systems and processes are open.
	OpenHandles() int
}

// Commands are the command lines the clauses run.
type Commands struct {
	// Echo writes "hello" and a line break to stdout and exits 0.
	Echo string // default: cmd /c echo hello
	// Exit3 exits with code 3.
	Exit3 string // default: cmd /c exit 3
	// Long runs until it is killed or its system stops.
	Long string // default: ping -t localhost
	// Cat copies stdin to stdout until stdin ends, then exits 0.
	Cat string // default: more
}

func (c Commands) withDefaults() Commands {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&c.Echo, "cmd /c echo hello")
	def(&c.Exit3, "cmd /c exit 3")
	def(&c.Long, "ping -t localhost")
	def(&c.Cat, "more")
	return c
}

// A clause is one statement of the contract, checked on a fresh host.
type clause struct {
	name  string
	check func(s *suite)
}

// Run checks every clause of the contract as a subtest, then logs how many
// passed, were skipped (with their reasons in their logs) or failed.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	if cfg.NewHost == nil || cfg.System == nil {
		t.Fatal("hcstest: Config needs NewHost and System")
	}
	cfg.Commands = cfg.Commands.withDefaults()
	var passed, skipped, failed int
	all := append(append([]clause(nil), clauses...), contextClauses...)
	for _, c := range all {
		c := c // Go 1.21, the floor, shares the loop variable
		var skip bool
		ok := t.Run(c.name, func(t *testing.T) {
			defer func() { skip = t.Skipped() }()
			s := &suite{t: t, cfg: cfg, host: cfg.NewHost(t), ids: make(map[hcs.System]string)}
			defer s.cleanUp()
			c.check(s)
		})
		switch {
		case !ok:
			failed++
		case skip:
			skipped++
		default:
			passed++
		}
	}
	t.Logf("ci: hcstest against %s: %d of %d clauses passed, %d skipped, %d failed", cfg.Name, passed, len(all), skipped, failed)
}

// suite is one clause's host and what it must release.
type suite struct {
	t       *testing.T
	cfg     Config
	host    hcs.Host
	mu      sync.Mutex
	systems []hcs.System
	ids     map[hcs.System]string // of the systems the clause created
	procs   []hcs.Process
	n       int
}

// system creates and starts a process-isolated system.
func (s *suite) system() hcs.System {
	s.t.Helper()
	sys := s.create(s.cfg.System)
	must(s.t, sys.Start(bg), "Start")
	return sys
}

func (s *suite) create(doc func(*testing.T, string) *hcs.ContainerConfig) hcs.System {
	s.t.Helper()
	s.mu.Lock()
	s.n++
	id := fmt.Sprintf("hcstest-%s-%d", strings.ReplaceAll(s.t.Name(), "/", "-"), s.n)
	s.mu.Unlock()
	sys, err := s.host.CreateSystem(bg, id, doc(s.t, id))
	must(s.t, err, "CreateSystem")
	s.keep(sys, nil)
	s.mu.Lock()
	s.ids[sys] = id
	s.mu.Unlock()
	return sys
}

func (s *suite) keep(sys hcs.System, p hcs.Process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sys != nil {
		s.systems = append(s.systems, sys)
	}
	if p != nil {
		s.procs = append(s.procs, p)
	}
}

// process starts commandLine in sys with the pipes asked for.
func (s *suite) process(sys hcs.System, commandLine string, stdin, stdout, stderr bool) hcs.Process {
	s.t.Helper()
	p, err := sys.CreateProcess(bg, &hcs.ProcessConfig{
		CommandLine:      commandLine,
		WorkingDirectory: `C:\`,
		CreateStdInPipe:  stdin,
		CreateStdOutPipe: stdout,
		CreateStdErrPipe: stderr,
	})
	must(s.t, err, "CreateProcess(%q)", commandLine)
	s.keep(nil, p)
	return p
}

// cleanUp stops every system the clause created and closes every handle.
func (s *suite) cleanUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		_ = p.Close(bg)
	}
	for _, sys := range s.systems {
		if err := sys.Terminate(bg); errors.Is(err, hcs.ErrPending) {
			_ = sys.WaitTimeout(bg, time.Minute)
		}
		_ = sys.Close(bg)
	}
}

// stop stops sys with stop (Shutdown or Terminate) by the contract: pending
// or already stopped, then Wait.
func stop(t *testing.T, sys hcs.System, name string, stop func(context.Context) error) {
	t.Helper()
	if err := stop(bg); err != nil && !errors.Is(err, hcs.ErrPending) && !errors.Is(err, hcs.ErrAlreadyStopped) {
		t.Fatalf("%s: %v, want nil, ErrPending or ErrAlreadyStopped", name, err)
	}
	must(t, sys.Wait(bg), "Wait after %s", name)
}

func must(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}

func wantClass(t *testing.T, err, class error, what string) {
	t.Helper()
	if !errors.Is(err, class) {
		t.Errorf("%s: %v, want %v", what, err, class)
	}
}

func wantError(t *testing.T, err error, what string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: nil, want an error", what)
	case errors.Is(err, hcs.ErrPending):
		t.Errorf("%s: %v, want an error other than pending", what, err)
	}
}

// readAll reads r to EOF.
func readAll(t *testing.T, r io.Reader, what string) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		t.Errorf("reading %s: %v", what, err)
	}
	return b.String()
}

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

var clauses = []clause{
	{"Host/NumCPU is at least 1", func(s *suite) {
		if n := s.host.NumCPU(); n < 1 {
			s.t.Errorf("NumCPU: %d", n)
		}
	}},
	{"Host/NameToGuid is canonical and the same for the same name", func(s *suite) {
		a, err := s.host.NameToGuid(bg, "hcstest-layer")
		must(s.t, err, "NameToGuid")
		b, err := s.host.NameToGuid(bg, "hcstest-layer")
		must(s.t, err, "NameToGuid")
		c, err := s.host.NameToGuid(bg, "hcstest-other")
		must(s.t, err, "NameToGuid")
		if !guid.MatchString(a) || a != b || a == c {
			s.t.Errorf("NameToGuid: %q, %q again, %q for another name", a, b, c)
		}
	}},
	{"Host/PathExists tells an existing path from a missing one", func(s *suite) {
		if s.cfg.ExistingPath == "" {
			s.t.Skip("no existing path configured")
		}
		ok, err := s.host.PathExists(bg, s.cfg.ExistingPath)
		if err != nil || !ok {
			s.t.Errorf("PathExists(%q): %v, %v", s.cfg.ExistingPath, ok, err)
		}
		ok, err = s.host.PathExists(bg, s.cfg.ExistingPath+`\hcstest-missing-c8f1`)
		if err != nil || ok {
			s.t.Errorf("PathExists of a missing path: %v, %v", ok, err)
		}
	}},
	{"Host/OpenSystem of an unknown id answers ErrNotExist", func(s *suite) {
		_, err := s.host.OpenSystem(bg, "hcstest-nobody-5d1e")
		wantClass(s.t, err, hcs.ErrNotExist, "OpenSystem")
	}},
	{"System/Start runs a created system and never answers pending", func(s *suite) {
		sys := s.create(s.cfg.System)
		must(s.t, sys.Start(bg), "Start")
		_, err := sys.Statistics(bg)
		must(s.t, err, "Statistics of a running system")
		wantError(s.t, sys.Start(bg), "Start of a running system")
	}},
	{"System/Statistics and ProcessList of a created system are errors", func(s *suite) {
		sys := s.create(s.cfg.System)
		_, err := sys.Statistics(bg)
		wantError(s.t, err, "Statistics")
		_, err = sys.ProcessList(bg)
		wantError(s.t, err, "ProcessList")
	}},
	{"System/Shutdown does not wait; Wait tells the stop", func(s *suite) {
		sys := s.system()
		stop(s.t, sys, "Shutdown", sys.Shutdown)
		must(s.t, sys.Wait(bg), "Wait again")
		_, err := sys.Statistics(bg)
		wantError(s.t, err, "Statistics of a stopped system")
	}},
	{"System/Terminate does not wait; WaitTimeout tells the stop", func(s *suite) {
		sys := s.system()
		if err := sys.Terminate(bg); err != nil && !errors.Is(err, hcs.ErrPending) {
			s.t.Fatalf("Terminate: %v", err)
		}
		must(s.t, sys.WaitTimeout(bg, time.Minute), "WaitTimeout")
	}},
	{"System/a stopped system answers a stop with pending or already stopped", func(s *suite) {
		sys := s.system()
		stop(s.t, sys, "Terminate", sys.Terminate)
		stop(s.t, sys, "Shutdown", sys.Shutdown)
		stop(s.t, sys, "Terminate", sys.Terminate)
		wantError(s.t, sys.Start(bg), "Start of a stopped system")
	}},
	{"System/WaitTimeout answers ErrTimeout while the system runs", func(s *suite) {
		sys := s.system()
		wantClass(s.t, sys.WaitTimeout(bg, time.Millisecond), hcs.ErrTimeout, "WaitTimeout")
	}},
	{"System/a stop ends the system's processes", func(s *suite) {
		sys := s.system()
		p := s.process(sys, s.cfg.Commands.Long, false, false, false)
		stop(s.t, sys, "Shutdown", sys.Shutdown)
		if err := p.Wait(bg); err != nil && !errors.Is(err, hcs.ErrBrokenPipe) {
			s.t.Errorf("process Wait after the system stopped: %v", err)
		}
	}},
	{"System/handles are independent: a second handle from OpenSystem, Close of one", func(s *suite) {
		sys := s.system()
		s.process(sys, s.cfg.Commands.Long, false, false, false)
		other, err := s.reopen(sys)
		must(s.t, err, "OpenSystem")
		list, err := other.ProcessList(bg)
		must(s.t, err, "ProcessList through the second handle")
		if len(list) == 0 {
			s.t.Errorf("ProcessList: empty while a process runs")
		}
		must(s.t, other.Close(bg), "Close of the second handle")
		_, err = sys.Statistics(bg)
		must(s.t, err, "Statistics through the first handle after the second's Close")
	}},
	{"System/Close: later calls answer ErrAlreadyClosed, Close again nil, the system runs on", func(s *suite) {
		sys := s.system()
		other, err := s.reopen(sys)
		must(s.t, err, "OpenSystem")
		must(s.t, sys.Close(bg), "Close")
		must(s.t, sys.Close(bg), "Close again")
		_, err = sys.Statistics(bg)
		wantClass(s.t, err, hcs.ErrAlreadyClosed, "Statistics after Close")
		wantClass(s.t, sys.Wait(bg), hcs.ErrAlreadyClosed, "Wait after Close, before the stop")
		_, err = other.Statistics(bg)
		must(s.t, err, "Statistics through another handle")
	}},
	{"System/Wait after Close keeps the stop seen before it", func(s *suite) {
		sys := s.system()
		stop(s.t, sys, "Terminate", sys.Terminate)
		must(s.t, sys.Close(bg), "Close")
		must(s.t, sys.Wait(bg), "Wait after Close, the stop seen")
	}},
	{"System/a stopped system goes away with its last handle: OpenSystem answers ErrNotExist, its id can be created again", func(s *suite) {
		sys := s.system()
		id := s.ids[sys]
		other, err := s.reopen(sys)
		must(s.t, err, "OpenSystem")
		stop(s.t, sys, "Terminate", sys.Terminate)
		must(s.t, sys.Close(bg), "Close")
		again, err := s.host.OpenSystem(bg, id)
		must(s.t, err, "OpenSystem while another handle is open")
		s.keep(again, nil)
		must(s.t, again.Close(bg), "Close of that handle")
		must(s.t, other.Close(bg), "Close of the last handle")
		_, err = s.host.OpenSystem(bg, id)
		wantClass(s.t, err, hcs.ErrNotExist, "OpenSystem of a stopped system without handles")
		recreated, err := s.host.CreateSystem(bg, id, s.cfg.System(s.t, id))
		must(s.t, err, "CreateSystem of its id again")
		s.keep(recreated, nil)
		must(s.t, recreated.Start(bg), "Start of the new system")
	}},
	{"System/Pause and Resume a Hyper-V system", func(s *suite) {
		if s.cfg.HyperVSystem == nil {
			s.t.Skip("the host runs no Hyper-V isolated system")
		}
		sys := s.create(s.cfg.HyperVSystem)
		must(s.t, sys.Start(bg), "Start")
		must(s.t, sys.Pause(bg), "Pause")
		wantError(s.t, sys.Pause(bg), "Pause of a paused system")
		must(s.t, sys.Resume(bg), "Resume")
		wantError(s.t, sys.Resume(bg), "Resume of a running system")
	}},
	{"System/Pause of a process-isolated system is an error", func(s *suite) {
		sys := s.system()
		wantError(s.t, sys.Pause(bg), "Pause")
		_, err := sys.Statistics(bg)
		must(s.t, err, "Statistics: the system still runs")
	}},
	{"System/CreateProcess in a stopped system is an error", func(s *suite) {
		sys := s.system()
		stop(s.t, sys, "Terminate", sys.Terminate)
		_, err := sys.CreateProcess(bg, &hcs.ProcessConfig{CommandLine: s.cfg.Commands.Echo})
		wantError(s.t, err, "CreateProcess")
	}},
	{"System/calls from many goroutines while one waits", func(s *suite) {
		sys := s.system()
		waited := make(chan error, 1)
		go func() { waited <- sys.Wait(bg) }()
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := sys.Statistics(bg); err != nil {
					s.t.Errorf("Statistics: %v", err)
				}
				if _, err := sys.ProcessList(bg); err != nil {
					s.t.Errorf("ProcessList: %v", err)
				}
			}()
		}
		wg.Wait()
		stop(s.t, sys, "Shutdown", sys.Shutdown)
		must(s.t, <-waited, "the concurrent Wait")
	}},
	{"Process/output reaches EOF at the exit, exit code 0", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Echo, false, true, true)
		stdin, stdout, stderr, err := p.Stdio()
		must(s.t, err, "Stdio")
		if stdin != nil {
			s.t.Errorf("Stdio: a stdin pipe that was not asked for")
		}
		if out := readAll(s.t, stdout, "stdout"); strings.TrimSpace(out) != "hello" {
			s.t.Errorf("stdout: %q, want hello", out)
		}
		_ = readAll(s.t, stderr, "stderr")
		must(s.t, p.Wait(bg), "Wait")
		code, err := p.ExitCode(bg)
		must(s.t, err, "ExitCode")
		if code != 0 {
			s.t.Errorf("ExitCode: %d, want 0", code)
		}
		must(s.t, p.Wait(bg), "Wait again")
	}},
	{"Process/ExitCode is the process's", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Exit3, false, false, false)
		must(s.t, p.Wait(bg), "Wait")
		code, err := p.ExitCode(bg)
		must(s.t, err, "ExitCode")
		if code != 3 {
			s.t.Errorf("ExitCode: %d, want 3", code)
		}
	}},
	{"Process/ExitCode before the exit is an error; WaitTimeout answers ErrTimeout", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Long, false, false, false)
		_, err := p.ExitCode(bg)
		wantError(s.t, err, "ExitCode of a running process")
		wantClass(s.t, p.WaitTimeout(bg, time.Millisecond), hcs.ErrTimeout, "WaitTimeout")
	}},
	{"Process/Kill does not wait; Kill of an exited process answers ErrAlreadyStopped", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Long, false, false, false)
		must(s.t, p.Kill(bg), "Kill")
		must(s.t, p.Wait(bg), "Wait")
		wantClass(s.t, p.Kill(bg), hcs.ErrAlreadyStopped, "Kill again")
	}},
	{"Process/CloseStdin ends the input", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Cat, true, true, false)
		stdin, stdout, stderr, err := p.Stdio()
		must(s.t, err, "Stdio")
		if stdin == nil || stdout == nil || stderr != nil {
			s.t.Fatalf("Stdio: stdin %v, stdout %v, stderr %v; want the two asked for", stdin != nil, stdout != nil, stderr != nil)
		}
		_, err = io.WriteString(stdin, "ping\r\n")
		must(s.t, err, "writing stdin")
		must(s.t, p.CloseStdin(bg), "CloseStdin")
		if out := readAll(s.t, stdout, "stdout"); strings.TrimSpace(out) != "ping" {
			s.t.Errorf("stdout: %q, want ping", out)
		}
		must(s.t, p.Wait(bg), "Wait")
	}},
	{"Process/ResizeConsole of a process without a console is an error", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Long, false, false, false)
		wantError(s.t, p.ResizeConsole(bg, 80, 25), "ResizeConsole")
	}},
	{"Process/Close: later calls answer ErrAlreadyClosed, Pid answers, Close again nil", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Long, false, false, false)
		pid := p.Pid()
		must(s.t, p.Close(bg), "Close")
		must(s.t, p.Close(bg), "Close again")
		if p.Pid() != pid {
			s.t.Errorf("Pid after Close: %d, want %d", p.Pid(), pid)
		}
		wantClass(s.t, p.Kill(bg), hcs.ErrAlreadyClosed, "Kill after Close")
		wantClass(s.t, p.Wait(bg), hcs.ErrAlreadyClosed, "Wait after Close, before the exit")
	}},
	{"Process/Wait after Close keeps the exit seen before it", func(s *suite) {
		p := s.process(s.system(), s.cfg.Commands.Exit3, false, false, false)
		must(s.t, p.Wait(bg), "Wait")
		must(s.t, p.Close(bg), "Close")
		must(s.t, p.Wait(bg), "Wait after Close, the exit seen")
	}},
}

// holder is the host's Holder; it skips the clause when there is none.
func (s *suite) holder() Holder {
	s.t.Helper()
	if s.cfg.Holder == nil {
		s.t.Skip("the host cannot hold calls (Config.Holder)")
	}
	h := s.cfg.Holder(s.t, s.host)
	s.t.Cleanup(h.Release)
	return h
}

// eventually blocks until done holds, for what a host does in the
// background; the test's own timeout bounds it.
func eventually(done func() bool) {
	for !done() {
		time.Sleep(time.Millisecond)
	}
}

// wantEnded checks that err is a call's answer when its context ended.
func wantEnded(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s: %v, want an error that is context.Canceled", what, err)
	}
}

var contextClauses = []clause{
	{"Context/a context that already ended issues nothing", func(s *suite) {
		sys := s.create(s.cfg.System)
		ctx, cancel := context.WithCancel(bg)
		cancel()
		wantEnded(s.t, sys.Start(ctx), "Start")
		must(s.t, sys.Start(bg), "Start afterwards: the first did not start it")
		p, err := sys.CreateProcess(ctx, &hcs.ProcessConfig{CommandLine: s.cfg.Commands.Long, WorkingDirectory: `C:\`})
		wantEnded(s.t, err, "CreateProcess")
		if p != nil {
			s.t.Errorf("CreateProcess with an ended context gave a process")
		}
	}},
	{"Context/a call its context ends while HCS holds it returns the context's error; the handle works on", func(s *suite) {
		h := s.holder()
		sys := s.system()
		h.Hold("Statistics")
		ctx, cancel := context.WithCancel(bg)
		answered := make(chan error, 1)
		go func() { _, err := sys.Statistics(ctx); answered <- err }()
		h.AwaitHeld("Statistics")
		cancel()
		wantEnded(s.t, <-answered, "Statistics")
		h.Release()
		_, err := sys.Statistics(bg)
		must(s.t, err, "Statistics once HCS answers")
	}},
	{"Context/Stdio asks nothing of HCS: it answers while HCS holds a call on the process", func(s *suite) {
		h := s.holder()
		p := s.process(s.system(), s.cfg.Commands.Cat, true, true, false)
		h.Hold("Process.Kill")
		answered := make(chan error, 1)
		go func() { answered <- p.Kill(bg) }()
		h.AwaitHeld("Process.Kill")
		stdin, stdout, _, err := p.Stdio()
		must(s.t, err, "Stdio while Kill is held")
		h.Release()
		must(s.t, <-answered, "Kill")
		must(s.t, p.Wait(bg), "Wait after Kill")
		_ = stdin.Close()
		readAll(s.t, stdout, "stdout")
	}},
	{"Context/a process HCS creates after its caller stopped waiting is killed and released", func(s *suite) {
		h := s.holder()
		sys := s.system()
		handles, kills, closes := h.OpenHandles(), h.Calls("Process.Kill"), h.Calls("Process.Close")
		h.Hold("CreateProcess")
		ctx, cancel := context.WithCancel(bg)
		answered := make(chan error, 1)
		go func() {
			_, err := sys.CreateProcess(ctx, &hcs.ProcessConfig{CommandLine: s.cfg.Commands.Long, WorkingDirectory: `C:\`})
			answered <- err
		}()
		h.AwaitHeld("CreateProcess")
		cancel()
		wantEnded(s.t, <-answered, "CreateProcess")
		h.Release()
		eventually(func() bool { return h.Calls("Process.Kill") > kills && h.Calls("Process.Close") > closes })
		eventually(func() bool { return h.OpenHandles() == handles })
	}},
	{"Context/Close waits for no call in flight; the call returns as it would have, and the handle closes after it", func(s *suite) {
		h := s.holder()
		sys := s.system()
		other, err := s.reopen(sys)
		must(s.t, err, "OpenSystem")
		handles := h.OpenHandles()
		h.Hold("Statistics")
		answered := make(chan error, 1)
		go func() { _, err := other.Statistics(bg); answered <- err }()
		h.AwaitHeld("Statistics")
		must(s.t, other.Close(bg), "Close while Statistics is held")
		_, err = other.Statistics(bg)
		wantClass(s.t, err, hcs.ErrAlreadyClosed, "Statistics after Close")
		if n := h.OpenHandles(); n != handles {
			s.t.Errorf("%d handles open while the call is held, want %d: the handle closes after the call", n, handles)
		}
		h.Release()
		must(s.t, <-answered, "the held Statistics")
		eventually(func() bool { return h.OpenHandles() == handles-1 })
		_, err = sys.Statistics(bg)
		must(s.t, err, "Statistics through the other handle")
	}},
	{"Context/CreateSystem and OpenSystem of an id wait, bounded by their context, for the release of its last handle, put off behind a call in flight", func(s *suite) {
		h := s.holder()
		sys := s.system()
		id := s.idOf(sys)
		h.Hold("Statistics")
		answered := make(chan error, 1)
		go func() { _, err := sys.Statistics(bg); answered <- err }()
		h.AwaitHeld("Statistics")
		stop(s.t, sys, "Terminate", sys.Terminate)
		must(s.t, sys.Close(bg), "Close while Statistics is held")

		// The held call is held until Release: a context with a
		// deadline ends while CreateSystem waits, whatever the machine's
		// speed.
		ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
		defer cancel()
		again, err := s.host.CreateSystem(ctx, id, s.cfg.System(s.t, id))
		if again != nil {
			s.keep(again, nil)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			s.t.Errorf("CreateSystem of the id while its handle's release is put off: %v, want an error that is context.DeadlineExceeded", err)
		}
		opened, err := s.host.OpenSystem(ctx, id)
		if opened != nil {
			s.keep(opened, nil)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			s.t.Errorf("OpenSystem of the id while its handle's release is put off: %v, want an error that is context.DeadlineExceeded", err)
		}

		created := make(chan error, 1)
		go func() {
			again, err := s.host.CreateSystem(bg, id, s.cfg.System(s.t, id))
			if err == nil {
				s.keep(again, nil)
			}
			created <- err
		}()
		h.Release()
		<-answered
		must(s.t, <-created, "CreateSystem of the id once the held call returned")
	}},
}

// idOf is the id of a system the clause created.
func (s *suite) idOf(sys hcs.System) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[sys]
}

// reopen opens a second handle on a system the clause created.
func (s *suite) reopen(sys hcs.System) (hcs.System, error) {
	s.mu.Lock()
	id, ok := s.ids[sys]
	s.mu.Unlock()
	if !ok {
		return nil, errors.New("hcstest: not a system this clause created")
	}
	other, err := s.host.OpenSystem(bg, id)
	if err == nil {
		s.keep(other, nil)
	}
	return other, err
}
