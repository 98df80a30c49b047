package core

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/fronttest"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// stdin reaches the process; closing it ends the input, through the
// DirectIO the engine receives.
func TestProcessStdin(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, proc, out := startExec(t, e, &specs.Process{CommandLine: "cat"})
	_, err := io.WriteString(out.stdin, "ping\r\npong\r\n")
	assert.NilError(t, err)
	assert.NilError(t, out.stdin.Close())
	stdout, _ := out.wait()
	assert.Equal(t, stdout, "ping\r\npong\r\n")
	events := e.rec.await("c1", 5)
	assert.Equal(t, events[4].Info.ExitCode, uint32(0))
	assert.Equal(t, proc.Pid(), uint32(0))
	cleanUp(t, e, ctr, tsk)
}

func TestProcessCloseStdin(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, proc, out := startExec(t, e, &specs.Process{CommandLine: "more"})
	assert.NilError(t, proc.CloseStdin(e.ctx))
	stdout, _ := out.wait()
	assert.Equal(t, stdout, "")
	e.rec.await("c1", 5)
	assert.Check(t, isNotFound(proc.CloseStdin(e.ctx)), "reaped")
	cleanUp(t, e, ctr, tsk)
}

// While the system shuts down HCS answers invalid state to CloseStdin: the
// engine closing stdin then is no error.
func TestStdinCloseWhileShuttingDown(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _, out := startExec(t, e, &specs.Process{CommandLine: "more"})
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpProcessCloseStdin, Err: hcs.WithClass(hcs.ErrInvalidState, errors.New("shutting down"))})
	assert.NilError(t, out.stdin.Close())
	boom := errors.New("boom")
	e.host.ClearFaults()
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpProcessCloseStdin, Err: boom})
	assert.Check(t, errors.Is((&stdinCloser{WriteCloser: nopWriteCloser{}, process: tsk.hcsProcess}).Close(), boom), "other errors are reported")
	cleanUp(t, e, ctr, tsk)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func TestProcessResize(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, proc, _ := startExec(t, e, &specs.Process{CommandLine: "cmd", Terminal: true, ConsoleSize: &specs.Box{Height: 25, Width: 80}})
	assert.NilError(t, proc.Resize(e.ctx, 120, 40))
	width, height, ok := e.host.ConsoleSize("c1", int(proc.pid))
	assert.Check(t, ok)
	assert.Equal(t, [2]uint16{width, height}, [2]uint16{120, 40})
	assert.Check(t, errors.Is(tsk.Resize(e.ctx, 1, 1), hcs.ErrInvalidState), "the task has no console")
	docs := e.host.ProcessConfigs("c1")
	assert.Equal(t, docs[1].ConsoleSize, [2]uint{25, 80})
	assert.Check(t, docs[1].EmulateConsole && !docs[1].CreateStdErrPipe)
	cleanUp(t, e, ctr, tsk)
	e.rec.await("c1", 6) // both exits: the exec was reaped
	assert.Check(t, isNotFound(proc.Resize(e.ctx, 1, 1)))
}

func TestProcessKillAndDelete(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, proc, _ := startExec(t, e, &specs.Process{CommandLine: "ping -t localhost"})
	_, err := proc.Delete(e.ctx)
	assert.Check(t, isConflict(err))
	canceled, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err = proc.Delete(canceled)
	assert.Check(t, errors.Is(err, context.Canceled))

	assert.NilError(t, proc.Kill(e.ctx, 9))
	events := e.rec.await("c1", 5)
	assert.Equal(t, events[4].Info.ExitCode, uint32(hcsfake.ExitCodeKilled))
	status, err := proc.Delete(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.Code, uint32(hcsfake.ExitCodeKilled))
	assert.Check(t, isNotFound(proc.Kill(e.ctx, 9)), "reaped")
	cleanUp(t, e, ctr, tsk)
}

// A call that races with the reaper gets HCS's already-closed answer; the
// engine sees the same not-found it gets once the reaper is done.
func TestProcessCallsRacingTheReaper(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, proc, _ := startExec(t, e, &specs.Process{CommandLine: "ping -t localhost"})
	closed := hcs.WithClass(hcs.ErrAlreadyClosed, errors.New("closed"))
	for _, op := range []hcsfake.Op{hcsfake.OpProcessKill, hcsfake.OpProcessResize, hcsfake.OpProcessCloseStdin} {
		e.host.Inject(hcsfake.Fault{Op: op, Err: closed, Times: 1})
	}
	for _, err := range []error{proc.Kill(e.ctx, 9), proc.Resize(e.ctx, 1, 1), proc.CloseStdin(e.ctx)} {
		assert.Check(t, isNotFound(err), "%v", err)
		assert.Check(t, !errors.Is(err, hcs.ErrAlreadyClosed))
	}
	cleanUp(t, e, ctr, tsk)
}

// Exactly one exit event per started process, whatever HCS answers while
// reaping, carrying what moby's carries: a failed Wait or ExitCode is not
// reported (an engine would show it to users as the container's error), a
// failed ExitCode or Close makes the code -1, only a failed Close sets the
// event's error, in moby's text, and the exit status never has an error.
func TestReapReportsEveryExit(t *testing.T) {
	boom := errors.New("boom")
	brokenPipe := hcs.WithClass(hcs.ErrBrokenPipe, errors.New("the pipe has been ended"))
	for _, tc := range []struct {
		name     string
		fault    hcsfake.Fault
		code     uint32
		eventErr string // "" for none
	}{
		{"wait broken pipe is an exit", hcsfake.Fault{Op: hcsfake.OpProcessWait, Err: brokenPipe, Late: true}, 7, ""},
		{"wait fails", hcsfake.Fault{Op: hcsfake.OpProcessWait, Err: boom, Late: true}, 7, ""},
		{"exit code broken pipe", hcsfake.Fault{Op: hcsfake.OpProcessExitCode, Err: brokenPipe}, 0xFFFFFFFF, ""},
		{"exit code fails", hcsfake.Fault{Op: hcsfake.OpProcessExitCode, Err: boom}, 0xFFFFFFFF, ""},
		{"close fails", hcsfake.Fault{Op: hcsfake.OpProcessClose, Err: boom}, 0xFFFFFFFF, "hcsProcess.Close() failed boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctr := e.create("c1", spec(t, "cmd /c exit 7"))
			e.host.Inject(tc.fault)
			tsk, err := ctr.NewTask(e.ctx, (&output{}).attach)
			assert.NilError(t, err)
			events := e.rec.await("c1", 3)
			exit := events[2]
			assert.Equal(t, exit.Type, EventExit)
			assert.Equal(t, exit.Info.ExitCode, tc.code)
			if tc.eventErr == "" {
				assert.NilError(t, exit.Info.Error)
			} else {
				assert.Error(t, exit.Info.Error, tc.eventErr)
				assert.Check(t, errors.Is(exit.Info.Error, boom), "the cause is kept")
			}
			status, err := tsk.Delete(e.ctx)
			assert.NilError(t, err)
			assert.Equal(t, status.Code, tc.code)
			e.client.eventQ.Wait()
			assert.Equal(t, len(e.rec.stream("c1")), 3, "one exit event")
			e.host.ClearFaults()
			assert.NilError(t, ctr.Delete(e.ctx))
		})
	}
}

// A Backend that fails or panics does not stop the events of its own or of
// other containers.
func TestMisbehavingBackend(t *testing.T) {
	e := newEnv(t)
	e.rec.onEvent = func(id string, ev EventType) {
		if id == "bad" && ev == EventCreate {
			panic("engine bug")
		}
	}
	_, tsk, _ := e.start("bad", spec(t, "cmd /c exit 0"))
	_, _, _ = e.start("good", spec(t, "cmd /c exit 0"))
	assert.DeepEqual(t, eventTypes(e.rec.await("bad", 2)), []EventType{EventStart, EventExit})
	assert.DeepEqual(t, eventTypes(e.rec.await("good", 3)), []EventType{EventCreate, EventStart, EventExit})
	_, err := tsk.Delete(e.ctx)
	assert.NilError(t, err)
}

// nilError is an error whose Error reads its receiver, so that a typed nil
// of it panics when printed as an error.
type nilError struct{ text string }

func (e *nilError) Error() string { return e.text }

// panickingStringer panics when printed with its String method.
type panickingStringer struct{}

func (panickingStringer) String() string { panic("String") }

// A Backend that panics, with whatever value, or returns an error that
// cannot be printed, takes nothing down under a JSON log (whose formatter
// calls an error's Error): the events of its container and of the others
// go on, and the log says what happened.
func TestMisbehavingBackendUnderAJSONLog(t *testing.T) {
	var out fronttest.SyncBuffer
	logger := logrus.New()
	logger.SetFormatter(&logrus.JSONFormatter{})
	logger.SetOutput(&out)
	rec := newRecorder()
	c, err := NewClient(logrus.NewEntry(logger), Moby26, rec, WithHost(goldenHost()))
	assert.NilError(t, err)
	e := &env{t: t, ctx: context.Background(), rec: rec, client: c}
	behaviours := map[string]func(){
		"typed-nil":         func() { panic((*nilError)(nil)) },
		"typed-nil-error":   func() { panic(error((*nilError)(nil))) },
		"stringer":          func() { panic(panickingStringer{}) },
		"returned-nil":      nil, // ProcessEvent returns a typed-nil error
		"nil-panic":         func() { panic(nil) },
		"holding-typed-nil": func() { panic(struct{ Err error }{(*nilError)(nil)}) },
	}
	rec.onEvent = func(id string, ev EventType) {
		if f := behaviours[id]; f != nil && ev == EventCreate {
			f()
		}
	}
	rec.fail = func(id string, ev EventType) error {
		if id == "returned-nil" && ev == EventCreate {
			return (*nilError)(nil)
		}
		return nil
	}
	for id := range behaviours {
		_, tsk, _ := e.start(id, spec(t, "cmd /c exit 0"))
		<-tsk.waitCh
		_, err := tsk.Delete(e.ctx)
		assert.NilError(t, err)
	}
	c.eventQ.Wait()
	for id := range behaviours {
		types := eventTypes(rec.stream(id))
		if id == "returned-nil" {
			assert.DeepEqual(t, types, []EventType{EventCreate, EventStart, EventExit})
			continue
		}
		assert.DeepEqual(t, types, []EventType{EventStart, EventExit})
	}
	var panics, failures int
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var entry map[string]any
		assert.NilError(t, json.Unmarshal([]byte(line), &entry), "%s", line)
		switch entry["msg"] {
		case "backend panicked processing event":
			panics++
			assert.Check(t, entry["panic"] != nil, "%s", line)
		case "failed to process event":
			failures++
			assert.Equal(t, entry["error"], "<nil>")
		}
	}
	// Go 1.21 and later turn panic(nil) into a *runtime.PanicNilError.
	assert.Equal(t, panics, len(behaviours)-1)
	assert.Equal(t, failures, 1)
}

// A Backend that blocks in ProcessEvent for one container holds up only
// that container's later events: the API answers, other containers' events
// flow, and the held events arrive, in order, once the Backend returns.
func TestBlockingBackend(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	blocked := make(chan struct{}, 1)
	e.rec.onEvent = func(id string, ev EventType) {
		if id == "slow" && ev == EventCreate {
			blocked <- struct{}{}
			<-release
		}
	}
	ctr, tsk, _ := e.start("slow", spec(t, "ping -t localhost"))
	<-blocked
	// Calls on the blocked container return.
	_, err := tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach)
	assert.NilError(t, err)
	_, err = tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, tsk.Kill(e.ctx, syscall.SIGKILL))

	// Another container's whole life goes on.
	other, otherTask, _ := e.start("fast", spec(t, "cmd /c exit 0"))
	assert.DeepEqual(t, eventTypes(e.rec.await("fast", 3)), []EventType{EventCreate, EventStart, EventExit})
	_, err = otherTask.Delete(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, other.Delete(e.ctx))
	assert.Check(t, is.Len(e.rec.stream("slow"), 0), "held while the backend blocks")

	close(release)
	events := e.rec.await("slow", 6)
	assert.DeepEqual(t, eventTypes(events)[:4], []EventType{EventCreate, EventStart, EventExecAdded, EventExecStarted})
	assert.DeepEqual(t, eventTypes(events)[4:], []EventType{EventExit, EventExit})
	_, err = tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(e.ctx))
}

// A Backend that ends its goroutine, as t.FailNow does in an engine's test
// Backend, loses none of its container's later events and does not hang
// the queue's Wait (moby's queue loses them).
func TestBackendThatEndsItsGoroutine(t *testing.T) {
	e := newEnv(t)
	e.rec.onEvent = func(id string, ev EventType) {
		if ev == EventCreate || ev == EventExecAdded {
			runtime.Goexit()
		}
	}
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	_, err := tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach)
	assert.NilError(t, err)
	assert.DeepEqual(t, eventTypes(e.rec.await("c1", 3)), []EventType{EventStart, EventExecStarted, EventExit})
	cleanUp(t, e, ctr, tsk)
	// The task's exit is queued right after ForceDelete's wait ends.
	e.rec.await("c1", 4)
	e.client.eventQ.Wait()
	assert.Equal(t, len(e.rec.stream("c1")), 4)
}
