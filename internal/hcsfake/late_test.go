package hcsfake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
)

// lateCase is an operation with a Late fault: call makes the call on a
// fresh host whose system c1 (Hyper-V isolated) runs process p, cat with
// its stdin and stdout, and returns its answer; done checks that the work
// was done all the same.
type lateCase struct {
	op   Op
	call func(l *lateHost) error
	done func(t *testing.T, l *lateHost)
}

// lateHost is what a case works on.
type lateHost struct {
	t     *testing.T // the case's
	h     *Host
	sys   hcs.System
	p     hcs.Process
	stdin io.WriteCloser
	out   io.ReadCloser
	// handles is how many were open before the call.
	handles int
	// other is a second system a case made, for its done.
	other hcs.System
}

var bg = context.Background()

// Every operation honours Late: it does its work, then answers the fault's
// error; one that returns a handle gives none, and releases what it made.
func TestLateFaultsDoTheWork(t *testing.T) {
	cases := []lateCase{
		{OpCreateSystem, func(l *lateHost) error {
			_, err := l.h.CreateSystem(bg, "c2", document("c2", false))
			return err
		}, func(t *testing.T, l *lateHost) {
			docs := l.h.ContainerConfigs()
			assert.Equal(t, docs[len(docs)-1].Name, "c2", "the document reached HCS")
			_, exists := l.h.State("c2")
			assert.Assert(t, !exists, "the system created was terminated and closed")
			l.wantHandles(t, 0)
			assert.NilError(t, create(t, l.h, "c2", false).Close(bg), "the id is free")
		}},
		{OpOpenSystem, func(l *lateHost) error { _, err := l.h.OpenSystem(bg, "c1"); return err },
			func(t *testing.T, l *lateHost) { l.wantHandles(t, 0) }},
		{OpNameToGuid, func(l *lateHost) error { _, err := l.h.NameToGuid(bg, "4"); return err }, nil},
		{OpPathExists, func(l *lateHost) error { _, err := l.h.PathExists(bg, `C:\`); return err }, nil},
		{OpStart, func(l *lateHost) error {
			l.other = create(l.t, l.h, "c2", false)
			return l.other.Start(bg)
		}, func(t *testing.T, l *lateHost) {
			wantStateOf(t, l, "c2", StateRunning)
			stop(t, l.other)
		}},
		{OpShutdown, func(l *lateHost) error { return l.sys.Shutdown(bg) }, wantStopped},
		{OpTerminate, func(l *lateHost) error { return l.sys.Terminate(bg) }, wantStopped},
		{OpWait, func(l *lateHost) error {
			assert.Check(l.t, errors.Is(l.sys.Terminate(bg), hcs.ErrPending))
			return l.sys.Wait(bg)
		}, wantStopped},
		{OpWaitTimeout, func(l *lateHost) error {
			assert.Check(l.t, errors.Is(l.sys.Terminate(bg), hcs.ErrPending))
			return l.sys.WaitTimeout(bg, forever)
		}, wantStopped},
		{OpPause, func(l *lateHost) error { return l.sys.Pause(bg) }, wantState(StatePaused)},
		{OpResume, func(l *lateHost) error {
			assert.NilError(l.t, l.sys.Pause(bg))
			return l.sys.Resume(bg)
		}, wantState(StateRunning)},
		{OpStatistics, func(l *lateHost) error { _, err := l.sys.Statistics(bg); return err }, nil},
		{OpProcessList, func(l *lateHost) error { _, err := l.sys.ProcessList(bg); return err }, nil},
		{OpCreateProcess, func(l *lateHost) error {
			_, err := l.sys.CreateProcess(bg, &hcs.ProcessConfig{CommandLine: "ping -t localhost"})
			return err
		}, func(t *testing.T, l *lateHost) {
			docs := l.h.ProcessConfigs("c1")
			assert.Equal(t, docs[len(docs)-1].CommandLine, "ping -t localhost", "the document reached HCS")
			list, err := l.sys.ProcessList(bg)
			assert.NilError(t, err)
			assert.Equal(t, len(list), 1, "the process created was killed: only cat runs")
			l.wantHandles(t, 0)
		}},
		{OpClose, func(l *lateHost) error { return l.sys.Close(bg) }, func(t *testing.T, l *lateHost) {
			l.wantHandles(t, -1)
			_, err := l.sys.Statistics(bg)
			assert.Check(t, errors.Is(err, hcs.ErrAlreadyClosed), "%v", err)
		}},
		{OpProcessKill, func(l *lateHost) error { return l.p.Kill(bg) }, wantExit(ExitCodeKilled)},
		{OpProcessWait, func(l *lateHost) error {
			assert.NilError(l.t, l.stdin.Close())
			return l.p.Wait(bg)
		}, wantExit(0)},
		{OpProcessWaitTimeout, func(l *lateHost) error {
			assert.NilError(l.t, l.stdin.Close())
			return l.p.WaitTimeout(bg, forever)
		}, wantExit(0)},
		{OpProcessExitCode, func(l *lateHost) error {
			assert.NilError(l.t, l.p.Kill(bg))
			assert.NilError(l.t, l.p.Wait(bg))
			_, err := l.p.ExitCode(bg)
			return err
		}, nil},
		{OpProcessResize, func(l *lateHost) error {
			p, err := l.sys.CreateProcess(bg, &hcs.ProcessConfig{CommandLine: "ping -t localhost", EmulateConsole: true})
			assert.NilError(l.t, err)
			defer func() { assert.NilError(l.t, p.Close(bg)) }()
			return p.ResizeConsole(bg, 80, 25)
		}, func(t *testing.T, l *lateHost) {
			w, h, ok := l.h.ConsoleSize("c1", 1008)
			assert.Assert(t, ok)
			assert.Equal(t, fmt.Sprint(w, h), "80 25")
		}},
		{OpProcessStdio, func(l *lateHost) error { _, _, _, err := l.p.Stdio(); return err }, nil},
		{OpProcessCloseStdin, func(l *lateHost) error { return l.p.CloseStdin(bg) }, wantExit(0)},
		{OpProcessClose, func(l *lateHost) error { return l.p.Close(bg) }, func(t *testing.T, l *lateHost) {
			l.wantHandles(t, -1)
			assert.Check(t, errors.Is(l.p.Kill(bg), hcs.ErrAlreadyClosed))
		}},
	}
	boom := errors.New("HCS failed after doing the work")
	for _, tc := range cases {
		t.Run(string(tc.op), func(t *testing.T) {
			l := &lateHost{t: t, h: New(2)}
			l.sys = create(t, l.h, "c1", true)
			assert.NilError(t, l.sys.Start(bg))
			l.p, l.stdin, l.out, _ = run(t, l.sys, "cat")
			l.handles = l.h.OpenHandles()
			l.h.Inject(Fault{Op: tc.op, Err: boom, Late: true, Times: 1})
			calls := l.h.Calls(tc.op)
			err := tc.call(l)
			assert.Assert(t, errors.Is(err, boom), "%v", err)
			assert.Assert(t, l.h.Calls(tc.op) > calls)
			if tc.done != nil {
				tc.done(t, l)
			}
			l.h.ClearFaults()
			_ = l.p.Close(bg)
			_ = l.sys.Close(bg)
			if sys, err := l.h.OpenSystem(bg, "c1"); err == nil {
				stop(t, sys)
			}
			l.h.AwaitOpenHandles(0)
		})
	}
}

func (l *lateHost) wantHandles(t *testing.T, delta int) {
	t.Helper()
	assert.Equal(t, l.h.OpenHandles(), l.handles+delta)
}

func wantStopped(t *testing.T, l *lateHost) {
	t.Helper()
	assert.NilError(t, l.sys.Wait(bg))
	wantState(StateStopped)(t, l)
}

func wantState(state State) func(*testing.T, *lateHost) {
	return func(t *testing.T, l *lateHost) {
		t.Helper()
		wantStateOf(t, l, "c1", state)
	}
}

func wantStateOf(t *testing.T, l *lateHost, id string, state State) {
	t.Helper()
	got, _ := l.h.State(id)
	assert.Equal(t, got, state)
}

// wantExit checks that cat exited with code.
func wantExit(code int) func(*testing.T, *lateHost) {
	return func(t *testing.T, l *lateHost) {
		t.Helper()
		assert.NilError(t, l.p.Wait(bg))
		got, err := l.p.ExitCode(bg)
		assert.NilError(t, err)
		assert.Equal(t, got, code)
	}
}
