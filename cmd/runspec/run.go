package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd/cio"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/types"
)

// runFlags are the flags of `runspec run`.
type runFlags struct {
	commonFlags
	execs   stringList
	pause   bool
	stats   bool
	timeout time.Duration
	grace   time.Duration
	json    bool
}

// runCommand is `runspec run`: runSynopsis says what it does.
func runCommand(ctx context.Context, args []string, s streams) int {
	fs := newFlagSet("run", s)
	var f runFlags
	f.register(fs)
	fs.Var(&f.execs, "exec", "a command line to exec in the running container (repeatable, run in order)")
	fs.BoolVar(&f.pause, "pause", false, "pause and resume the container (Hyper-V only)")
	fs.BoolVar(&f.stats, "stats", false, "print the container's statistics and processes")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop the container when it runs longer (0: no limit)")
	fs.DurationVar(&f.grace, "grace", 10*time.Second, "how long a graceful stop may take before SIGKILL")
	fs.BoolVar(&f.json, "json", false, "write every line on stderr as a JSON object: events, reports, the log, the process's stderr")
	positional, code, ok := parse(fs, runSynopsis, args, s)
	if !ok {
		return code
	}
	// With --json every line runspec writes on stderr is a JSON object,
	// its own complaints included.
	p := newPrinter(s.events, f.json)
	complain := func(code int, format string, args ...any) int {
		p.complain(s.stderr, fmt.Sprintf(format, args...))
		return code
	}
	if len(positional) != 1 {
		return complain(exitUsage, "runspec run: want one SPEC, got %d", len(positional))
	}
	if err := f.check(); err != nil {
		return complain(exitUsage, "runspec run: %v", err)
	}
	spec, id, err := loadSpec(positional[0], f.id, s.stdin)
	if err != nil {
		return complain(exitUsage, "runspec: %v", err)
	}
	// From here on Ctrl-C and SIGTERM stop the container; reading the spec
	// they simply end runspec.
	ctx, stop := interruptible(ctx)
	defer stop()
	f.setUpLog(s, f.json)
	host, notice, err := f.host()
	if err != nil {
		return complain(exitRun, "runspec: %v", err)
	}
	r := &runner{flags: f, id: id, spec: spec, s: s, host: host, printer: p}
	if notice != "" {
		r.printer.report("host", notice)
	}
	client, err := local.NewClient(ctx, nil, "", "runspec", r.printer, local.WithHost(host))
	if err != nil {
		return complain(exitRun, "runspec: %v", err)
	}
	return r.run(ctx, client)
}

// check refuses flag values that mean nothing.
func (f *runFlags) check() error {
	if err := f.commonFlags.check(); err != nil {
		return err
	}
	for _, commandLine := range f.execs {
		if strings.TrimSpace(commandLine) == "" {
			return errors.New("--exec wants a command line, got none")
		}
	}
	if f.timeout < 0 || f.grace < 0 {
		return fmt.Errorf("--timeout %s, --grace %s: want durations of 0 or more", f.timeout, f.grace)
	}
	return nil
}

// killWait bounds the wait for a container's exit after SIGKILL, which
// terminates its compute system.
const killWait = time.Minute

// runner takes one container through its life.
type runner struct {
	flags   runFlags
	id      string
	spec    *specs.Spec
	host    hcs.Host
	s       streams
	printer *printer
	copies  sync.WaitGroup // output still being copied
	outMu   sync.Mutex     // serializes writes to stdout and stderr
}

func (r *runner) fail(what string, err error) int {
	r.printer.complain(r.s.stderr, fmt.Sprintf("runspec: %s: %s", what, describe(err)))
	if hint := utilityVMHint(err, r.host); hint != "" {
		r.printer.complain(r.s.stderr, strings.TrimSuffix(hint, "\n"))
	}
	if isInvalidParameter(err) {
		return exitUsage
	}
	return exitRun
}

func (r *runner) run(ctx context.Context, client types.Client) int {
	ctr, err := client.NewContainer(ctx, r.id, r.spec, "", nil)
	if err != nil {
		return r.fail("create", err)
	}
	// The container is deleted however the run ends: nothing is left.
	defer func() {
		if err := ctr.Delete(context.WithoutCancel(ctx)); err != nil {
			r.printer.complain(r.s.stderr, "runspec: delete: "+describe(err))
		}
	}()

	taskStart := r.printer.expect(types.EventStart, r.id)
	taskExit := r.printer.expect(types.EventExit, r.id)
	var stdin io.WriteCloser
	task, err := ctr.NewTask(ctx, "", true, r.attach(r.id, &stdin, nil))
	if err != nil {
		return r.fail("start", err)
	}
	// Events arrive on their own; waiting for the start keeps what runspec
	// reports after it.
	<-taskStart
	// The timeout counts from the start; it and Ctrl-C end the operations
	// too: an exec still running is then left to the container's stop.
	opCtx, cancel := ctx, context.CancelFunc(func() {})
	if r.flags.timeout > 0 {
		opCtx, cancel = context.WithTimeout(ctx, r.flags.timeout)
	}
	defer cancel()
	// The task's stdin stays open while the requested operations run, so
	// that a process reading it is still there for them.
	r.operate(opCtx, task)
	if stdin != nil {
		_ = stdin.Close()
	}

	exit, err := r.waitOrStop(ctx, opCtx, task, taskExit)
	r.copies.Wait()
	if err != nil {
		r.printer.complain(r.s.stderr, "runspec: "+err.Error())
		_ = task.ForceDelete(context.WithoutCancel(ctx))
		return exitRun
	}
	if _, err := task.Delete(context.WithoutCancel(ctx)); err != nil {
		return r.fail("delete task", err)
	}
	return int(exit.ExitCode)
}

// attach copies process processID's output to runspec's stdout and stderr
// (with --json its stderr as JSON objects among the events, so that every
// line there parses) and keeps its stdin for the caller; drained, when
// set, is done when the process's output was all copied.
func (r *runner) attach(processID string, stdin *io.WriteCloser, drained *sync.WaitGroup) types.StdioCallback {
	return func(dio *cio.DirectIO) (cio.IO, error) {
		*stdin = dio.Stdin
		stderr := r.s.stderr
		if r.flags.json {
			stderr = processStderr{r.printer, r.id, processID}
		}
		for _, c := range []struct {
			from io.Reader
			to   io.Writer
		}{{dio.Stdout, r.s.stdout}, {dio.Stderr, stderr}} {
			if c.from == nil {
				continue
			}
			r.copies.Add(1)
			if drained != nil {
				drained.Add(1)
			}
			go func(from io.Reader, to io.Writer) {
				defer r.copies.Done()
				_, _ = io.Copy(lockedWriter{&r.outMu, to}, from)
				if drained != nil {
					drained.Done()
				}
			}(c.from, c.to)
		}
		return dio, nil
	}
}

// execID names the n-th exec in events: exec-N, or exec-N-2 when the
// container's id is exec-N. An event names its process only, and the
// task's is the container's id: an exec of the same name would take the
// task's exit as its own.
func (r *runner) execID(n int) string {
	id := fmt.Sprintf("exec-%d", n)
	if id == r.id {
		id += "-2"
	}
	return id
}

// operate runs the execs, the pause and resume and the statistics asked
// for, until ctx ends. Their failures are reported and the run goes on: a
// failed operation does not change the exit code, the container's.
func (r *runner) operate(ctx context.Context, task types.Task) {
	for i, commandLine := range r.flags.execs {
		if ctx.Err() != nil {
			return
		}
		processID := r.execID(i + 1)
		exited := r.printer.expect(types.EventExit, processID)
		var stdin io.WriteCloser
		var drained sync.WaitGroup
		_, err := task.Exec(ctx, processID, &specs.Process{CommandLine: commandLine}, false, r.attach(processID, &stdin, &drained))
		if err != nil {
			r.printer.report("exec", describe(err))
			continue
		}
		_ = stdin.Close()
		select {
		case <-exited:
		case <-ctx.Done():
			return
		}
		// Its output ends with its pipes, at its exit: all of it is
		// printed before what comes next.
		drained.Wait()
	}
	if r.flags.pause && ctx.Err() == nil {
		for _, step := range []struct {
			name  string
			do    func(context.Context) error
			event types.EventType
		}{{"pause", task.Pause, types.EventPaused}, {"resume", task.Resume, types.EventResumed}} {
			// Waiting for the event keeps what runspec prints in order.
			done := r.printer.expect(step.event, r.id)
			if err := step.do(ctx); err != nil {
				r.printer.report(step.name, describe(err))
				continue
			}
			select {
			case <-done:
			case <-ctx.Done():
				return
			}
		}
	}
	if r.flags.stats && ctx.Err() == nil {
		r.reportStats(ctx, task)
	}
}

func (r *runner) reportStats(ctx context.Context, task types.Task) {
	stats, err := task.Stats(ctx)
	if err != nil {
		r.printer.report("stats", describe(err))
		return
	}
	hs := local.HCSStatistics(stats)
	if hs == nil {
		r.printer.report("stats", "no HCS statistics")
		return
	}
	m := hs.Memory
	r.printer.print(eventLine{Time: now(), Report: "stats", Message: fmt.Sprintf("memory commit %d bytes (peak %d), private working set %d bytes",
		m.UsageCommitBytes, m.UsageCommitPeakBytes, m.UsagePrivateWorkingSetBytes),
		Stats: &statsFields{m.UsageCommitBytes, m.UsageCommitPeakBytes, m.UsagePrivateWorkingSetBytes}})
	processes, err := task.Summary(ctx)
	if err != nil {
		r.printer.report("top", describe(err))
		return
	}
	for i := range processes {
		p := &processes[i]
		r.printer.print(eventLine{Time: now(), Report: "top", Message: fmt.Sprintf("pid %d %s, memory commit %d bytes", p.ProcessID, p.ImageName, p.MemoryCommitBytes),
			Top: &topFields{p.ProcessID, p.ImageName, p.MemoryCommitBytes}})
	}
}

// waitOrStop waits for the task's exit. When opCtx ends, on Ctrl-C (ctx)
// or after the timeout, it stops the container as `docker stop` does: a
// graceful kill, then SIGKILL when the grace period passes.
func (r *runner) waitOrStop(ctx, opCtx context.Context, task types.Task, exited <-chan types.EventInfo) (types.EventInfo, error) {
	select {
	case ei := <-exited:
		return ei, nil
	case <-opCtx.Done():
		if ctx.Err() != nil {
			r.printer.report("stop", "interrupted: stopping the container")
		} else {
			r.printer.report("stop", fmt.Sprintf("timed out after %s: stopping the container", r.flags.timeout))
		}
	}
	stopCtx := context.WithoutCancel(ctx)
	for _, step := range []struct {
		signal syscall.Signal
		wait   time.Duration
	}{{syscall.SIGTERM, r.flags.grace}, {syscall.SIGKILL, killWait}} {
		if err := task.Kill(stopCtx, step.signal); err != nil {
			r.printer.report("kill", describe(err))
		}
		timer := time.NewTimer(step.wait)
		select {
		case ei := <-exited:
			timer.Stop()
			return ei, nil
		case <-timer.C:
		}
	}
	return types.EventInfo{}, fmt.Errorf("the container did not stop within %s of SIGKILL", killWait)
}

// printer is runspec's Backend: it prints every event as it arrives and
// tells the runner of the events it waits for.
type printer struct {
	mu       sync.Mutex
	w        io.Writer
	json     bool
	expected map[expectation]chan types.EventInfo
}

type expectation struct {
	event     types.EventType
	processID string
}

func newPrinter(w io.Writer, asJSON bool) *printer {
	return &printer{w: w, json: asJSON, expected: make(map[expectation]chan types.EventInfo)}
}

// expect returns a channel that receives the next event of that type for
// processID.
func (p *printer) expect(event types.EventType, processID string) <-chan types.EventInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan types.EventInfo, 1)
	p.expected[expectation{event, processID}] = ch
	return ch
}

// eventLine is an event in --json output.
type eventLine struct {
	Time      time.Time `json:"time"`
	Event     string    `json:"event,omitempty"`
	Container string    `json:"container,omitempty"`
	Process   string    `json:"process,omitempty"`
	Pid       uint32    `json:"pid,omitempty"`
	ExitCode  *uint32   `json:"exitCode,omitempty"`
	Error     string    `json:"error,omitempty"`
	Report    string    `json:"report,omitempty"`
	Message   string    `json:"message,omitempty"`
	// A line of the process's stderr (--json only).
	Stderr string `json:"stderr,omitempty"`
	// The figures of a "stats" or "top" report.
	Stats *statsFields `json:"stats,omitempty"`
	Top   *topFields   `json:"top,omitempty"`
}

// statsFields are the container's memory statistics, in bytes.
type statsFields struct {
	MemoryCommit      uint64 `json:"memoryCommitBytes"`
	MemoryCommitPeak  uint64 `json:"memoryCommitPeakBytes"`
	PrivateWorkingSet uint64 `json:"privateWorkingSetBytes"`
}

// topFields are one process of the container's process list.
type topFields struct {
	Pid          uint32 `json:"pid"`
	Image        string `json:"image"`
	MemoryCommit uint64 `json:"memoryCommitBytes"`
}

// processStderr writes what a process writes on its stderr as JSON
// objects among the events, one a write.
type processStderr struct {
	p                  *printer
	container, process string
}

func (w processStderr) Write(b []byte) (int, error) {
	w.p.print(eventLine{Time: now(), Container: w.container, Process: w.process, Stderr: string(b)})
	return len(b), nil
}

// complain reports a failure of runspec's own: a JSON object among the
// events with --json, else the text on stderr.
func (p *printer) complain(stderr io.Writer, text string) {
	if p.json {
		p.report("error", text)
		return
	}
	fmt.Fprintln(stderr, text)
}

func (p *printer) ProcessEvent(id string, event types.EventType, ei types.EventInfo) error {
	line := eventLine{Time: now(), Event: string(event), Container: id, Process: ei.ProcessID, Pid: ei.Pid}
	if event == types.EventExit {
		line.ExitCode = &ei.ExitCode
	}
	if ei.Error != nil {
		line.Error = ei.Error.Error()
	}
	p.print(line)
	key := expectation{event, ei.ProcessID}
	p.mu.Lock()
	ch := p.expected[key]
	delete(p.expected, key)
	p.mu.Unlock()
	if ch != nil {
		ch <- ei
	}
	return nil
}

// report prints what runspec itself did or found, among the events.
func (p *printer) report(what, message string) {
	p.print(eventLine{Time: now(), Report: what, Message: message})
}

func (p *printer) print(l eventLine) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		_ = json.NewEncoder(p.w).Encode(l)
		return
	}
	text := l.Time.Format("15:04:05.000") + " "
	if l.Report != "" {
		text += fmt.Sprintf("%-12s %s", l.Report+":", l.Message)
	} else {
		text += fmt.Sprintf("%-12s container=%s", l.Event, l.Container)
		if l.Process != "" {
			text += " process=" + l.Process
		}
		if l.Pid != 0 {
			text += fmt.Sprintf(" pid=%d", l.Pid)
		}
		if l.ExitCode != nil {
			text += fmt.Sprintf(" exit-code=%d", *l.ExitCode)
		}
		if l.Error != "" {
			text += fmt.Sprintf(" error=%q", l.Error)
		}
	}
	fmt.Fprintln(p.w, text)
}
