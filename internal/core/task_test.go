package core

import (
	"context"
	"errors"
	"fmt"
	runhcs "github.com/Microsoft/hcsshim/cmd/containerd-shim-runhcs-v1/options"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

func TestKill(t *testing.T) {
	for _, tc := range []struct {
		name   string
		signal syscall.Signal
		op     hcsfake.Op
		code   uint32
	}{
		{"SIGTERM shuts down", syscall.SIGTERM, hcsfake.OpShutdown, hcsfake.ExitCodeShutdown},
		{"SIGKILL terminates", syscall.SIGKILL, hcsfake.OpTerminate, hcsfake.DefaultTerminateExitCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			assert.NilError(t, tsk.Kill(e.ctx, tc.signal))
			assert.Equal(t, e.host.Calls(tc.op), 1)
			events := e.rec.await("c1", 3)
			assert.Equal(t, events[2].Type, EventExit)
			assert.Equal(t, events[2].Info.ExitCode, tc.code)
			assert.Equal(t, ctr.state.terminating, tc.signal == syscall.SIGKILL)
			// Killing a stopped container is no error either.
			assert.NilError(t, tsk.Kill(e.ctx, tc.signal))
			assert.NilError(t, ctr.Delete(e.ctx))
		})
	}
}

// Kill reports success whatever HCS answers, as moby does; the exit event
// says when the task ended.
func TestKillErrorsAreOnlyLogged(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpShutdown, Err: errors.New("refused"), Times: 1})
	assert.NilError(t, tsk.Kill(e.ctx, syscall.SIGTERM))
	status, err := tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.State, Running)
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestKillAfterDelete(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "cmd /c exit 0"))
	e.rec.await("c1", 3)
	_, err := tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.Check(t, isNotFound(tsk.Kill(e.ctx, syscall.SIGKILL)))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestPauseResumeHyperV(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", hypervSpec(t, "ping -t localhost"))
	assert.NilError(t, tsk.Pause(e.ctx))
	state, _ := e.host.State("c1")
	assert.Equal(t, state, hcsfake.StatePaused)
	status, err := tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.State, Paused)

	assert.NilError(t, tsk.Resume(e.ctx))
	status, err = tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.State, Running)

	// A paused task that is killed is reported stopped, not paused.
	assert.NilError(t, tsk.Pause(e.ctx))
	assert.NilError(t, tsk.Kill(e.ctx, syscall.SIGKILL))
	events := e.rec.await("c1", 6)
	status, err = tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.State, Stopped)

	assert.DeepEqual(t, eventTypes(events), []EventType{
		EventCreate, EventStart, EventPaused, EventResumed, EventPaused, EventExit,
	})
	assert.DeepEqual(t, events[2].Info, EventInfo{ContainerID: "c1", ProcessID: "c1"})
	assert.NilError(t, ctr.Delete(e.ctx))
}

// Both Pause and Resume of a process-isolated container are not
// implemented (moby answers each differently).
func TestPauseResumeProcessIsolation(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	for _, err := range []error{tsk.Pause(e.ctx), tsk.Resume(e.ctx)} {
		assert.Check(t, isNotImplemented(err))
	}
	assert.Equal(t, e.host.Calls(hcsfake.OpPause), 0)
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestPauseFails(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", hypervSpec(t, "ping -t localhost"))
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpPause, Err: hcs.WithClass(hcs.ErrInvalidState, errors.New("no")), Times: 1})
	assert.Check(t, errors.Is(tsk.Pause(e.ctx), hcs.ErrInvalidState))
	status, err := tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.State, Running)
	assert.Check(t, errors.Is(tsk.Resume(e.ctx), hcs.ErrInvalidState), "resuming a running system")
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.DeepEqual(t, eventTypes(e.rec.await("c1", 3)), []EventType{EventCreate, EventStart, EventExit})
	assert.Check(t, isNotFound(tsk.Pause(e.ctx)), "a deleted task")
}

func TestStatsAndSummary(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	execOut := &output{}
	_, err := tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: `C:\Windows\System32\more.com`}, execOut.attach)
	assert.NilError(t, err)

	stats, readAt, err := tsk.Stats(e.ctx)
	assert.NilError(t, err)
	assert.Check(t, !readAt.IsZero())
	assert.Equal(t, stats.Memory.UsageCommitBytes, uint64(2*8<<20), "two running processes")

	list, err := tsk.Summary(e.ctx)
	assert.NilError(t, err)
	assert.Assert(t, is.Len(list, 2))
	summary := make([]runhcs.ProcessDetails, len(list))
	for i, p := range list {
		SetSummary(&summary[i], p)
	}
	assert.Equal(t, summary[0].ImageName, "ping")
	assert.Equal(t, summary[0].ProcessID, tsk.Pid())
	assert.Equal(t, summary[1].ImageName, "more.com")
	assert.Check(t, createdAt(&summary[1]).Equal(list[1].CreateTimestamp))
	assert.Equal(t, summary[1].MemoryCommitBytes, list[1].MemoryCommitBytes)

	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
	_, _, err = tsk.Stats(e.ctx)
	assert.Check(t, isNotFound(err))
	_, err = tsk.Summary(e.ctx)
	assert.Check(t, isNotFound(err))
}

func TestStatsAndSummaryErrors(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	boom := errors.New("boom")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpStatistics, Err: boom})
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpProcessList, Err: boom})
	_, _, err := tsk.Stats(e.ctx)
	assert.Check(t, errors.Is(err, boom))
	_, err = tsk.Summary(e.ctx)
	assert.Check(t, errors.Is(err, boom))
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestWhatWindowsDoesNotDo(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	assert.NilError(t, tsk.Start(e.ctx), "a no-op")
	err := tsk.Pids(e.ctx)
	assert.Check(t, isNotImplemented(err))
	err = tsk.CreateCheckpoint(e.ctx, "", false)
	assert.Check(t, isNotImplemented(err))
	assert.ErrorContains(t, err, "Windows: Containers do not support checkpoints")
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestTaskDelete(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	_, err := tsk.Delete(e.ctx)
	assert.Check(t, isConflict(err))

	canceled, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err = tsk.Delete(canceled)
	assert.Check(t, errors.Is(err, context.Canceled))

	assert.NilError(t, tsk.Kill(e.ctx, syscall.SIGTERM))
	e.rec.await("c1", 3)
	status, err := tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.Code, uint32(hcsfake.ExitCodeShutdown))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestForceDelete(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	_, err := ctr.Task(e.ctx)
	assert.Check(t, isNotFound(err))
	events := e.rec.await("c1", 3)
	assert.Equal(t, events[2].Info.ExitCode, uint32(hcsfake.DefaultTerminateExitCode))
	assert.Check(t, isNotFound(tsk.ForceDelete(e.ctx)), "already deleted")
	assert.NilError(t, ctr.Delete(e.ctx))
}

// A termination that never finishes leaves ForceDelete to the context.
func TestForceDeleteHonoursTheContext(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: hcs.WithClass(hcs.ErrPending, errors.New("pending")), Times: 1})
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- tsk.ForceDelete(ctx) }()
	e.host.AwaitCalls(hcsfake.OpTerminate, 1) // answered pending, never done
	cancel()
	assert.Check(t, errors.Is(<-done, context.Canceled))
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestExec(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	out := &output{}
	p, err := tsk.Exec(e.ctx, "e1", &specs.Process{Args: []string{"cmd", "/c", "echo from exec"}, Env: []string{"A=1"}}, out.attach)
	assert.NilError(t, err)
	stdout, _ := out.wait()
	assert.Equal(t, stdout, "from exec\n")

	events := e.rec.await("c1", 5)
	assert.DeepEqual(t, eventTypes(events), []EventType{
		EventCreate, EventStart, EventExecAdded, EventExecStarted, EventExit,
	})
	execPid := events[2].Info.Pid
	assert.DeepEqual(t, events[2].Info, EventInfo{ContainerID: "c1", ProcessID: "e1", Pid: execPid})
	assert.DeepEqual(t, events[3].Info, events[2].Info)
	assert.Equal(t, events[4].Info.ProcessID, "e1")
	assert.Equal(t, events[4].Info.Pid, execPid)
	assert.Equal(t, events[4].Info.ExitCode, uint32(0))

	status, err := p.Delete(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.Code, uint32(0))

	docs := e.host.ProcessConfigs("c1")
	assert.Assert(t, is.Len(docs, 2))
	assert.Equal(t, docs[1].WorkingDirectory, `C:\`, "the container's directory")
	assert.Equal(t, docs[1].CommandLine, `cmd /c "echo from exec"`)
	assert.DeepEqual(t, docs[1].Environment, map[string]string{"A": "1"})

	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}

func TestExecErrors(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	_, err := tsk.Exec(e.ctx, "e1", nil, (&output{}).attach)
	assert.Check(t, isInvalidParameter(err))

	boom := errors.New("boom")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpCreateProcess, Err: boom, Times: 1})
	_, err = tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "cmd"}, (&output{}).attach)
	assert.Check(t, errors.Is(err, boom))

	assert.NilError(t, tsk.ForceDelete(e.ctx))
	_, err = tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "cmd"}, (&output{}).attach)
	assert.Check(t, isNotFound(err), "no task")
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.DeepEqual(t, eventTypes(e.rec.await("c1", 3)), []EventType{EventCreate, EventStart, EventExit})
}

// createdAt reads a summary's creation time, a time.Time in hcsshim v0.11
// and a protobuf timestamp from v0.12 on.
func createdAt(s *runhcs.ProcessDetails) time.Time {
	switch v := any(s.CreatedAt).(type) {
	case time.Time:
		return v
	case interface{ AsTime() time.Time }:
		return v.AsTime()
	}
	panic(fmt.Sprintf("CreatedAt of type %T", s.CreatedAt))
}
