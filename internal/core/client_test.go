package core

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

func TestNewContainer(t *testing.T) {
	e := newEnv(t)
	e.create("c1", spec(t, "cmd"))

	assert.DeepEqual(t, e.rec.await("c1", 1), []event{{EventCreate, EventInfo{ContainerID: "c1"}}})
	state, ok := e.host.State("c1")
	assert.Check(t, ok)
	assert.Equal(t, state, hcsfake.StateRunning)
	want, _, err := Documents(e.ctx, "c1", spec(t, "cmd"), e.host)
	assert.NilError(t, err)
	assert.DeepEqual(t, e.host.ContainerConfigs(), []hcs.ContainerConfig{*want})
}

func TestNewContainerRejectsABadSpecAndCreatesNothing(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.NewContainer(e.ctx, "c1", nil)
	assert.Check(t, isInvalidParameter(err))
	assert.Equal(t, e.host.Calls(hcsfake.OpCreateSystem), 0)
	e.client.eventQ.Wait()
	assert.Check(t, is.Len(e.rec.stream("c1"), 0))
}

func TestNewContainerCreateFails(t *testing.T) {
	e := newEnv(t)
	boom := errors.New("HCS says no")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpCreateSystem, Err: boom, Times: 1})
	_, err := e.client.NewContainer(e.ctx, "c1", spec(t, "cmd"))
	assert.Check(t, errors.Is(err, boom))
	e.client.eventQ.Wait()
	assert.Check(t, is.Len(e.rec.stream("c1"), 0))

	// A second attempt creates the container.
	e.create("c1", spec(t, "cmd"))
	assert.Check(t, is.Len(e.rec.await("c1", 1), 1))
}

// When Start fails the system is terminated and its handle closed (moby
// leaks the handle), and the error is Start's.
func TestNewContainerStartFails(t *testing.T) {
	e := newEnv(t)
	boom := errors.New("start failed")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpStart, Err: boom})
	_, err := e.client.NewContainer(e.ctx, "c1", spec(t, "cmd"))
	assert.Check(t, errors.Is(err, boom))
	assert.Equal(t, e.host.Calls(hcsfake.OpTerminate), 1)
	assert.Equal(t, e.host.OpenHandles(), 0)
	assert.Check(t, is.Len(e.host.Systems(), 0), "the system went away")
	e.client.eventQ.Wait()
	assert.Check(t, is.Len(e.rec.stream("c1"), 0))
}

func TestVersionIsNotImplemented(t *testing.T) {
	e := newEnv(t)
	err := e.client.Version(e.ctx)
	assert.Check(t, isNotImplemented(err))
}

// Without WithHost the client binds to the machine's HCS, which exists only
// on Windows.
func TestNewClientWithoutHost(t *testing.T) {
	c, err := NewClient(Logger(context.Background()), Moby26, newRecorder())
	if runtime.GOOS == "windows" {
		assert.NilError(t, err)
		assert.Check(t, c != nil)
		return
	}
	assert.Check(t, isNotImplemented(err), "%v", err)
	assert.ErrorContains(t, err, "HCS exists only on Windows")
}

func TestLoadContainerUnknown(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.LoadContainer(e.ctx, "nope")
	assert.Check(t, isNotFound(err))
	assert.Check(t, errors.Is(err, hcs.ErrNotExist), "the cause is kept")
}

// A daemon restart: a new client loads the container the old one left
// running, which terminates it; it can then be deleted, never started.
func TestLoadContainerAfterRestart(t *testing.T) {
	e := newEnv(t)
	_, _, _ = e.start("c1", spec(t, "ping -t localhost"))
	e.rec.await("c1", 2)

	restarted := e.newClient()
	ctr, err := restarted.LoadContainer(e.ctx, "c1")
	assert.NilError(t, err)
	state, _ := e.host.State("c1")
	assert.Equal(t, state, hcsfake.StateStopped)

	_, err = ctr.NewTask(e.ctx, (&output{}).attach)
	assert.Check(t, isNotImplemented(err))
	_, err = ctr.Task(e.ctx)
	assert.Check(t, isNotFound(err))

	assert.NilError(t, ctr.Delete(e.ctx))
	// The old client's reaper saw its task end when the system was
	// terminated: one exit, with the terminate exit code.
	events := e.rec.await("c1", 3)
	assert.DeepEqual(t, eventTypes(events), []EventType{EventCreate, EventStart, EventExit})
	assert.Equal(t, events[2].Info.ExitCode, uint32(hcsfake.DefaultTerminateExitCode))
	// Only the first client's handle on the system is left, as the old
	// daemon's would be until it exits.
	e.host.AwaitOpenHandles(1)
}

// HCS may answer already stopped instead of pending: that is success too.
func TestLoadContainerAlreadyStopped(t *testing.T) {
	e := newEnv(t)
	e.create("c1", spec(t, "cmd"))
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: hcs.WithClass(hcs.ErrAlreadyStopped, errors.New("stopped")), Times: 1})
	ctr, err := e.newClient().LoadContainer(e.ctx, "c1")
	assert.NilError(t, err)
	assert.Equal(t, e.host.Calls(hcsfake.OpWaitTimeout), 0)
	assert.NilError(t, ctr.Delete(e.ctx))
}

// A termination that never completes is waited for up to the restore
// timeout; the handle is released and the timeout returned.
func TestLoadContainerTerminateTimesOut(t *testing.T) {
	e := newEnv(t)
	e.create("c1", spec(t, "cmd"))
	restarted := e.newClient(WithRestoreTimeout(time.Millisecond))
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: hcs.WithClass(hcs.ErrPending, errors.New("pending")), Times: 1})
	_, err := restarted.LoadContainer(e.ctx, "c1")
	assert.Check(t, errors.Is(err, hcs.ErrTimeout), "%v", err)
	assert.Equal(t, e.host.OpenHandles(), 1, "only the first client's handle is open")
}

func TestLoadContainerTerminateFails(t *testing.T) {
	e := newEnv(t)
	e.create("c1", spec(t, "cmd"))
	boom := errors.New("terminate failed")
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: boom, Times: 1})
	_, err := e.newClient().LoadContainer(e.ctx, "c1")
	assert.Check(t, errors.Is(err, boom))
	assert.Equal(t, e.host.OpenHandles(), 1)
}
