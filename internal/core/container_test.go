package core

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// The whole life of a container whose process prints and exits.
func TestContainerLifecycle(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, out := e.start("c1", spec(t, "cmd /c echo hello & echo oops 1>&2 & exit 3"))

	stdout, stderr := out.wait()
	assert.Equal(t, stdout, "hello\n")
	assert.Equal(t, stderr, "oops\n")

	events := e.rec.await("c1", 3)
	pid := events[1].Info.Pid
	assert.Check(t, pid != 0)
	assert.DeepEqual(t, eventTypes(events), []EventType{EventCreate, EventStart, EventExit})
	assert.DeepEqual(t, events[1].Info, EventInfo{ContainerID: "c1", ProcessID: "c1", Pid: pid})
	exit := events[2].Info
	assert.Check(t, !exit.ExitedAt.IsZero())
	exit.ExitedAt = time.Time{}
	assert.DeepEqual(t, exit, EventInfo{ContainerID: "c1", ProcessID: "c1", Pid: pid, ExitCode: 3})

	status, err := tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.State, Stopped)
	assert.Equal(t, status.Exit.Code, uint32(3))
	assert.Equal(t, status.Exit.Time, events[2].Info.ExitedAt)
	assert.Equal(t, tsk.Pid(), uint32(0), "no pid once exited")

	got, err := ctr.Task(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, got, tsk)
	exitStatus, err := tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, exitStatus.Code, uint32(3))
	_, err = ctr.Task(e.ctx)
	assert.Check(t, isNotFound(err))
	_, err = tsk.Delete(e.ctx)
	assert.Check(t, isNotFound(err), "a deleted task is gone")

	assert.NilError(t, ctr.Delete(e.ctx))
	assert.Check(t, is.Len(e.host.Systems(), 0))
	assert.Equal(t, e.host.OpenHandles(), 0)
	err = ctr.Delete(e.ctx)
	assert.Check(t, isNotFound(err))

	// The task's process document is the translation of the spec.
	_, want, err := Documents(e.ctx, "c1", spec(t, "x"), e.host)
	assert.NilError(t, err)
	want.CommandLine = "cmd /c echo hello & echo oops 1>&2 & exit 3"
	assert.DeepEqual(t, e.host.ProcessConfigs("c1"), []hcs.ProcessConfig{*want})

	e.client.eventQ.Wait()
	assert.Check(t, is.Len(e.rec.stream("c1"), 3), "nothing after the exit")
}

func TestNewTaskTwice(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "cmd"))
	_, err := ctr.NewTask(e.ctx, (&output{}).attach)
	assert.Check(t, isNotModified(err))
	assert.Check(t, errors.Is(err, errSentinelAlreadyExists), "moby's cause is kept")
	assert.Error(t, err, "already exists")
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestNewTaskAfterDelete(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd"))
	assert.NilError(t, ctr.Delete(e.ctx))
	_, err := ctr.NewTask(e.ctx, (&output{}).attach)
	assert.Check(t, isNotFound(err))
}

// A failure before the process exists leaves no task and no trace; the
// container can start a task afterwards.
func TestNewTaskCreateProcessFails(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd /c exit 0"))
	boom := errors.New("no process for you")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpCreateProcess, Err: boom, Times: 1})
	_, err := ctr.NewTask(e.ctx, (&output{}).attach)
	assert.Check(t, errors.Is(err, boom))
	_, err = ctr.Task(e.ctx)
	assert.Check(t, isNotFound(err))

	tsk, err := ctr.NewTask(e.ctx, (&output{}).attach)
	assert.NilError(t, err)
	assert.DeepEqual(t, eventTypes(e.rec.await("c1", 3)), []EventType{EventCreate, EventStart, EventExit})
	_, err = tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(e.ctx))
}

// A failure after the process started kills it and releases it in the
// background; no start or exit event is sent for it.
func TestNewTaskFailsAfterTheProcessStarted(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name   string
		fault  *hcsfake.Fault
		attach Attach
	}{
		{name: "stdio", fault: &hcsfake.Fault{Op: hcsfake.OpProcessStdio, Err: boom}, attach: (&output{}).attach},
		{name: "attach", attach: func(Stdio) error { return boom }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctr := e.create("c1", spec(t, "ping -t localhost"))
			if tc.fault != nil {
				e.host.Inject(*tc.fault)
			}
			_, err := ctr.NewTask(e.ctx, tc.attach)
			assert.Check(t, errors.Is(err, boom))
			e.host.AwaitCalls(hcsfake.OpProcessKill, 1) // the release is the background's
			assert.Equal(t, e.host.Calls(hcsfake.OpProcessKill), 1)
			e.host.AwaitOpenHandles(1) // the container's; the process was released
			_, err = ctr.Task(e.ctx)
			assert.Check(t, isNotFound(err))
			assert.NilError(t, ctr.Delete(e.ctx), "no task blocks the delete")
			e.client.eventQ.Wait()
			assert.DeepEqual(t, eventTypes(e.rec.stream("c1")), []EventType{EventCreate})
		})
	}
}

// While NewTask waits for the engine's attachStdio, no lock is held: the
// container answers, and a second NewTask or a Delete is refused.
func TestNewTaskDoesNotHoldTheLockDuringAttach(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "ping -t localhost"))
	attaching, release := make(chan struct{}), make(chan struct{})
	out := &output{}
	done := make(chan error)
	go func() {
		_, err := ctr.NewTask(e.ctx, func(stdio Stdio) error {
			close(attaching)
			<-release
			return out.attach(stdio)
		})
		done <- err
	}()
	<-attaching
	_, err := ctr.Task(e.ctx)
	assert.Check(t, isNotFound(err))
	_, err = ctr.NewTask(e.ctx, (&output{}).attach)
	assert.Check(t, isNotModified(err))
	assert.Check(t, isConflict(ctr.Delete(e.ctx)))
	close(release)
	assert.NilError(t, <-done)

	tsk, err := ctr.Task(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestAttachTaskIsNotFound(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd"))
	err := ctr.AttachTask(e.ctx)
	assert.Check(t, isNotFound(err))
	assert.Check(t, errors.Is(err, errSentinelNotImplemented), "moby's cause is kept")
	assert.Error(t, err, "not implemented")
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestDeleteWhileTheTaskRuns(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	err := ctr.Delete(e.ctx)
	assert.Check(t, isConflict(err))
	assert.NilError(t, tsk.Kill(e.ctx, 15))
	e.rec.await("c1", 3)
	assert.NilError(t, ctr.Delete(e.ctx), "an exited task does not block the delete")
}

// Delete asks for a graceful shutdown and waits for it.
func TestDeleteShutsDown(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd"))
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.Equal(t, e.host.Calls(hcsfake.OpShutdown), 1)
	assert.Equal(t, e.host.Calls(hcsfake.OpTerminate), 0)
	assert.Equal(t, e.host.Calls(hcsfake.OpWaitTimeout), 1)
}

// When the shutdown fails or does not finish in time, Delete terminates the
// system; it still releases it, and reports the shutdown's failure.
func TestDeleteFallsBackToTerminate(t *testing.T) {
	boom := errors.New("shutdown refused")
	for _, tc := range []struct {
		name  string
		fault hcsfake.Fault
		want  error
	}{
		{"shutdown fails", hcsfake.Fault{Op: hcsfake.OpShutdown, Err: boom}, boom},
		{"shutdown never finishes", hcsfake.Fault{Op: hcsfake.OpShutdown, Err: hcs.WithClass(hcs.ErrPending, errors.New("pending"))}, hcs.ErrTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, WithShutdownTimeout(time.Millisecond))
			ctr := e.create("c1", spec(t, "cmd"))
			e.host.Inject(tc.fault)
			err := ctr.Delete(e.ctx)
			assert.Check(t, errors.Is(err, tc.want), "%v", err)
			assert.Equal(t, e.host.Calls(hcsfake.OpTerminate), 1)
			assert.Equal(t, e.host.OpenHandles(), 0)
			// The termination HCS took on ends the system, if not
			// within the millisecond Delete waited, then after.
			e.host.AwaitGone("c1")
		})
	}
}

func TestDeleteWhenTerminateFailsToo(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd"))
	shutdownErr, terminateErr := errors.New("no shutdown"), errors.New("no terminate")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpShutdown, Err: shutdownErr})
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: terminateErr})
	err := ctr.Delete(e.ctx)
	assert.Check(t, errors.Is(err, shutdownErr))
	assert.Check(t, errors.Is(err, terminateErr))
	assert.Equal(t, e.host.OpenHandles(), 0, "the handle is released all the same")
}

func TestDeleteShutdownAlreadyStopped(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd"))
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpShutdown, Err: hcs.WithClass(hcs.ErrAlreadyStopped, errors.New("stopped"))})
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.Equal(t, e.host.Calls(hcsfake.OpTerminate), 0)
}

func TestDeleteCloseFails(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd"))
	boom := errors.New("close failed")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpClose, Err: boom, Times: 1})
	err := ctr.Delete(e.ctx)
	assert.Check(t, errors.Is(err, boom))
	assert.Check(t, isNotFound(ctr.Delete(e.ctx)), "the container is gone for the client")
}

// After a SIGKILL, Delete does not ask for a shutdown: it waits for the
// termination under way.
func TestDeleteAfterSIGKILL(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	assert.NilError(t, tsk.Kill(e.ctx, 9))
	e.rec.await("c1", 3)
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.Equal(t, e.host.Calls(hcsfake.OpShutdown), 0)
	assert.Equal(t, e.host.Calls(hcsfake.OpWaitTimeout), 1)
}

// A SIGKILL that HCS was not asked for (its context had ended) or that HCS
// refused records no termination: the task then exits by itself, and
// Delete asks for a shutdown rather than waiting the whole shutdown
// timeout for a stop nobody started.
func TestDeleteAfterASIGKILLHCSDidNotTakeOn(t *testing.T) {
	for _, tc := range []struct {
		name string
		kill func(e *env, tsk *Task) error
	}{
		{"its context had ended", func(e *env, tsk *Task) error {
			ctx, cancel := context.WithCancel(e.ctx)
			cancel()
			err := tsk.Kill(ctx, syscall.SIGKILL)
			assert.Assert(e.t, errors.Is(err, context.Canceled), "%v", err)
			return nil
		}},
		{"HCS refused it", func(e *env, tsk *Task) error {
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: errors.New("refused"), Times: 1})
			return tsk.Kill(e.ctx, syscall.SIGKILL)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctr, tsk, out := e.start("c1", spec(t, "more"))
			assert.NilError(t, tc.kill(e, tsk))
			ctr.mu.Lock()
			terminating := ctr.state.terminating
			ctr.mu.Unlock()
			assert.Assert(t, !terminating, "a termination HCS did not take on was recorded")

			assert.NilError(t, out.stdin.Close())
			e.rec.await("c1", 3)
			shutdowns := e.host.Calls(hcsfake.OpShutdown)
			assert.NilError(t, ctr.Delete(e.ctx))
			assert.Equal(t, e.host.Calls(hcsfake.OpShutdown), shutdowns+1)
		})
	}
}

// An attachStdio that panics in NewTask or Exec leaves nothing behind: the
// process is killed and released, no task or exec is recorded, the
// container can be deleted, and the panic reaches the caller.
func TestPanickingAttachStdio(t *testing.T) {
	panics := func(Stdio) error { panic("engine bug") }
	mustPanic := func(t *testing.T, call func()) {
		t.Helper()
		defer func() { assert.Equal(t, recover(), "engine bug") }()
		call()
	}

	t.Run("NewTask", func(t *testing.T) {
		e := newEnv(t)
		ctr := e.create("c1", spec(t, "ping -t localhost"))
		mustPanic(t, func() { _, _ = ctr.NewTask(e.ctx, panics) })
		e.host.AwaitOpenHandles(1) // the system's only: the process was released
		_, err := ctr.Task(e.ctx)
		assert.Check(t, isNotFound(err), "no task recorded")
		assert.NilError(t, ctr.Delete(e.ctx))
		assert.DeepEqual(t, eventTypes(e.rec.await("c1", 1)), []EventType{EventCreate})
	})

	t.Run("Exec", func(t *testing.T) {
		e := newEnv(t)
		ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
		mustPanic(t, func() {
			_, _ = tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "ping -t localhost"}, panics)
		})
		e.host.AwaitOpenHandles(2) // the system's and the task's
		cleanUp(t, e, ctr, tsk)
		e.rec.await("c1", 3) // the exit is queued right after ForceDelete's wait
		e.client.eventQ.Wait()
		assert.DeepEqual(t, eventTypes(e.rec.stream("c1")), []EventType{EventCreate, EventStart, EventExit})
	})
}

// Calls that reach the compute system while Delete closes its handle get
// the not-found error they get after Delete, never HCS's raw answer for a
// closed handle (moby returns that one).
func TestCallsRacingDelete(t *testing.T) {
	for _, tc := range []struct {
		op   hcsfake.Op
		call func(e *env, tsk *Task) error
	}{
		{hcsfake.OpStatistics, func(e *env, tsk *Task) error { _, _, err := tsk.Stats(e.ctx); return err }},
		{hcsfake.OpProcessList, func(e *env, tsk *Task) error { _, err := tsk.Summary(e.ctx); return err }},
		{hcsfake.OpCreateProcess, func(e *env, tsk *Task) error {
			_, err := tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach)
			return err
		}},
	} {
		t.Run(string(tc.op), func(t *testing.T) {
			e := newEnv(t)
			ctr, tsk, _ := e.start("c1", spec(t, "cmd /c exit 0"))
			<-tsk.waitCh // a task that exited keeps its container open until Delete
			hang := make(chan struct{})
			e.host.Inject(hcsfake.Fault{Op: tc.op, Hang: hang, Times: 1})
			done := make(chan error, 1)
			go func() { done <- tc.call(e, tsk) }()
			e.host.AwaitCalls(tc.op, 1) // the call holds the handle, inside HCS
			assert.NilError(t, ctr.Delete(e.ctx))
			close(hang)
			err := <-done
			assert.Check(t, isNotFound(err), "%v", err)
			assert.Error(t, err, `container "c1" not found`)
			assert.Check(t, !errors.Is(err, hcs.ErrAlreadyClosed))
		})
	}
}

// Stdio asks nothing of HCS (the hcs contract), so the in-memory host
// answers it at once whatever a fault says, and NewTask and Exec do not
// wait for it beyond their context.
func TestStdioIsNeverHeld(t *testing.T) {
	e := newEnv(t)
	never := make(chan struct{})
	defer close(never)
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpProcessStdio, Hang: never, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(e.ctx, time.Hour)
	defer cancel()
	ctr, err := e.client.NewContainer(ctx, "c1", spec(t, "ping -t localhost"))
	assert.NilError(t, err)
	tsk, err := ctr.NewTask(ctx, (&output{}).attach)
	assert.NilError(t, err)
	_, err = tsk.Exec(ctx, "e1", &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach)
	assert.NilError(t, err)
	assert.Equal(t, e.host.Calls(hcsfake.OpProcessStdio), 2)
	cleanUp(t, e, ctr, tsk)
}
