//lint:file-ignore SA1012 nil contexts on purpose: the API takes them, as moby's does.

package core

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/memhost"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// No exported function or method panics on a nil or zero argument: each
// answers an invalid-parameter error where it needs the argument, and takes
// a nil context for an empty one.
func TestNilAndZeroArguments(t *testing.T) {
	_, err := NewClient(Logger(nil), Moby26, nil)
	assert.Check(t, isInvalidParameter(err), "nil Backend: %v", err)
	_, _, err = Documents(nil, "", nil, nil)
	assert.Check(t, isInvalidParameter(err), "nil host: %v", err)
	_, _, err = Documents(nil, "", nil, goldenHost())
	assert.Check(t, isInvalidParameter(err), "nil spec: %v", err)
	for name, host := range map[string]hcs.Host{
		"a typed-nil *memhost.Host": (*memhost.Host)(nil),
		"a zero memhost.Host":       &memhost.Host{},
		"a typed-nil *hcsfake.Host": (*hcsfake.Host)(nil),
	} {
		_, err = NewClient(Logger(nil), Moby26, newRecorder(), WithHost(host))
		assert.Check(t, isInvalidParameter(err), "NewClient with %s: %v", name, err)
		_, _, err = Documents(nil, "c1", spec(t, "cmd /c exit 0"), host)
		assert.Check(t, isInvalidParameter(err), "Documents with %s: %v", name, err)
	}
	assert.NilError(t, hcs.WithClass(nil, nil))

	e := newEnv(t)
	c, err := NewClient(Logger(nil), Moby26, e.rec, nil, WithHost(e.host), WithOwner(""))
	assert.NilError(t, err)
	t.Cleanup(c.eventQ.Wait)
	err = c.Version(nil)
	assert.Check(t, isNotImplemented(err))
	_, err = c.NewContainer(nil, "", nil)
	assert.Check(t, isInvalidParameter(err))
	_, err = c.LoadContainer(nil, "")
	assert.Check(t, isNotFound(err))

	ctr, err := c.NewContainer(nil, "c1", spec(t, "ping -t localhost"))
	assert.NilError(t, err)
	_, err = ctr.NewTask(nil, nil)
	assert.Check(t, isInvalidParameter(err), "nil attachStdio: %v", err)
	_, err = ctr.Task(nil)
	assert.Check(t, isNotFound(err), "no task recorded")
	err = ctr.AttachTask(nil)
	assert.Check(t, isNotFound(err))
	e.host.AwaitOpenHandles(1) // the process was released

	tsk, err := ctr.NewTask(nil, (&output{}).attach)
	assert.NilError(t, err)
	_, err = tsk.Exec(nil, "", nil, (&output{}).attach)
	assert.Check(t, isInvalidParameter(err), "nil process spec: %v", err)
	_, err = tsk.Exec(nil, "", &specs.Process{}, nil)
	assert.Check(t, isInvalidParameter(err), "nil attachStdio: %v", err)
	e.host.AwaitOpenHandles(2) // the system's and the task's
	proc, err := tsk.Exec(nil, "", &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach)
	assert.NilError(t, err)
	<-proc.waitCh
	_, err = proc.Delete(nil)
	assert.NilError(t, err)
	assert.Check(t, isNotFound(proc.Kill(nil, 0)))
	assert.Check(t, isNotFound(proc.Resize(nil, 0, 0)))
	assert.Check(t, isNotFound(proc.CloseStdin(nil)))
	assert.NilError(t, tsk.Kill(nil, 0))
	<-tsk.waitCh
	_ = tsk.Resize(nil, 0, 0)
	_, _, _ = tsk.Stats(nil)
	_, _ = tsk.Summary(nil)
	_, _ = tsk.Status(nil)
	_ = tsk.Pids(nil)
	_ = tsk.Pause(nil)
	_ = tsk.Resume(nil)
	assert.Check(t, isNotImplemented(tsk.CreateCheckpoint(nil, "", false)))
	assert.NilError(t, tsk.ForceDelete(nil))
	_, err = tsk.Delete(nil)
	assert.Check(t, isNotFound(err), "deleted already")
	assert.NilError(t, ctr.Delete(nil))
}
