package core

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// Every error moby v26.1.3's libcontainerd/local returns, by the line of
// local_windows.go that returns it, reads here as it reads there: engines
// show these texts to users. (Errors that are HCS's own come back as HCS
// gave them, in both.) One of moby's is unreachable in both: ForceDelete's
// "could not force-kill task" (line 995) wraps an error of Kill, which
// fails only for a deleted task or container, and neither can be deleted
// while the task runs.
func TestMobyErrorTexts(t *testing.T) {
	boom, bang := errors.New("boom"), errors.New("bang")
	for _, tc := range []struct {
		line int // in local_windows.go
		text string
		err  func(t *testing.T, e *env) error
	}{
		{98, "not implemented on Windows", func(t *testing.T, e *env) error {
			err := e.client.Version(e.ctx)
			return err
		}},
		{155, "linux containers are not supported on this platform", translation("linux")},
		{224, "OCI spec is invalid - at least two LayerFolders must be supplied to the runtime", translation("one-layer")},
		{235, "runtime does not support an explicit utility VM path for Hyper-V containers", translation("hyperv-uvm-path")},
		{252, "utility VM image could not be found", translation("hyperv-no-uvm")},
		{257, "OCI spec is invalid - Root.Path must be omitted for a Hyper-V container", translation("hyperv-root-path")},
		{262, `OCI spec is invalid - Root.Path 'C:\' must be a volume GUID path in the format '\\?\Volume{GUID}\'`, translation("root-path-drive")},
		{269, "OCI spec is invalid - Root.Readonly must not be set on Windows", translation("root-readonly")},
		{290, "OCI spec is invalid - Mount.Type 'bind' must not be set", translation("mount-type")},
		{318, "device assignment is not supported for HyperV containers", translation("hyperv-device")},
		{0, "boom", func(t *testing.T, e *env) error { // hcsshim.NameToGuid's error, bare
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpNameToGuid, Err: boom})
			_, err := e.client.NewContainer(e.ctx, "c1", spec(t, "cmd"))
			return err
		}},
		{396, "a restored container cannot be started", func(t *testing.T, e *env) error {
			e.create("c1", spec(t, "ping -t localhost"))
			ctr, err := e.newClient().LoadContainer(e.ctx, "c1")
			assert.NilError(t, err)
			defer func() { assert.NilError(t, ctr.Delete(e.ctx)) }()
			_, err = ctr.NewTask(e.ctx, (&output{}).attach)
			return err
		}},
		{398, "already exists", func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			defer cleanUp(t, e, ctr, tsk)
			_, err := ctr.NewTask(e.ctx, (&output{}).attach)
			return err
		}},
		{526, "not found", func(t *testing.T, e *env) error {
			ctr := e.create("c1", spec(t, "cmd"))
			defer func() { assert.NilError(t, ctr.Delete(e.ctx)) }()
			_, err := ctr.Task(e.ctx)
			return err
		}},
		{701, "process not found", reapedExec(func(e *env, p *Process) error { return p.Kill(e.ctx, syscall.SIGKILL) })},
		{751, "process not found", reapedExec(func(e *env, p *Process) error { return p.Resize(e.ctx, 80, 25) })},
		{769, "process not found", reapedExec(func(e *env, p *Process) error { return p.CloseStdin(e.ctx) })},
		{778, "not implemented", func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			defer cleanUp(t, e, ctr, tsk)
			return tsk.Pause(e.ctx)
		}},
		{790, `container "c1" not found`, deletedContainer((*Task).Pause)},
		{819, "cannot resume Windows Server Containers", func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			defer cleanUp(t, e, ctr, tsk)
			return tsk.Resume(e.ctx)
		}},
		{831, `container "c1" not found`, deletedContainer((*Task).Resume)},
		{888, "container not found", func(t *testing.T, e *env) error {
			_, err := e.client.LoadContainer(e.ctx, "nobody")
			return err
		}},
		{914, "not implemented", func(t *testing.T, e *env) error {
			ctr := e.create("c1", spec(t, "cmd"))
			defer func() { assert.NilError(t, ctr.Delete(e.ctx)) }()
			err := ctr.AttachTask(e.ctx)
			return err
		}},
		{920, "not implemented on Windows", func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			defer cleanUp(t, e, ctr, tsk)
			err := tsk.Pids(e.ctx)
			return err
		}},
		{963, "process is running", func(t *testing.T, e *env) error {
			ctr, tsk, proc, _ := startExec(t, e, &specs.Process{CommandLine: "ping -t localhost"})
			defer cleanUp(t, e, ctr, tsk)
			_, err := proc.Delete(e.ctx)
			return err
		}},
		{974, "container is not stopped", func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			defer cleanUp(t, e, ctr, tsk)
			_, err := tsk.Delete(e.ctx)
			return err
		}},
		{1034, "Windows: Containers do not support checkpoints", func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			defer cleanUp(t, e, ctr, tsk)
			return tsk.CreateCheckpoint(e.ctx, "", false)
		}},
		{1040, `task "c1" not found`, func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "cmd /c exit 0"))
			<-tsk.waitCh
			cleanUp(t, e, ctr, tsk)
			_, _, err := tsk.Stats(e.ctx)
			return err
		}},
		{1058, `container "c1" not found`, func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "cmd /c exit 0"))
			<-tsk.waitCh
			assert.NilError(t, ctr.Delete(e.ctx))
			_, _, err := tsk.Stats(e.ctx)
			return err
		}},
		{1155, "hcsProcess.Close() failed boom", func(t *testing.T, e *env) error {
			ctr := e.create("c1", spec(t, "cmd /c exit 0"))
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpProcessClose, Err: boom})
			_, err := ctr.NewTask(e.ctx, (&output{}).attach)
			assert.NilError(t, err)
			exit := e.rec.await("c1", 3)[2]
			assert.Equal(t, exit.Type, EventExit)
			e.host.ClearFaults()
			assert.NilError(t, ctr.Delete(e.ctx))
			return exit.Info.Error
		}},
		{1193, `container "c1" not found`, func(t *testing.T, e *env) error {
			ctr := e.create("c1", spec(t, "cmd"))
			assert.NilError(t, ctr.Delete(e.ctx))
			return ctr.Delete(e.ctx)
		}},
		{1201, "container is not stopped", func(t *testing.T, e *env) error {
			ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
			defer cleanUp(t, e, ctr, tsk)
			return ctr.Delete(e.ctx)
		}},
		{1214, "failed to shutdown container: boom", func(t *testing.T, e *env) error {
			ctr := e.create("c1", spec(t, "cmd"))
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpShutdown, Err: boom})
			return ctr.Delete(e.ctx)
		}},
		{1085, "failed to shutdown container: boom: subsequent terminate failed bang", func(t *testing.T, e *env) error {
			ctr := e.create("c1", spec(t, "cmd"))
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpShutdown, Err: boom})
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: bang})
			return ctr.Delete(e.ctx)
		}},
		{1221, "failed to terminate container: bang", func(t *testing.T, e *env) error {
			ctr := e.create("c1", spec(t, "cmd"))
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpShutdown, Err: boom})
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, Err: bang})
			e.host.Inject(hcsfake.Fault{Op: hcsfake.OpClose, Err: bang})
			return ctr.Delete(e.ctx)
		}},
	} {
		name := tc.text
		if tc.line > 0 {
			name = "line " + strconv.Itoa(tc.line)
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			err := tc.err(t, e)
			assert.Error(t, err, tc.text)
		})
	}
}

// translation is the error NewContainer gives for a spec of the corpus.
func translation(name string) func(t *testing.T, e *env) error {
	return func(t *testing.T, e *env) error {
		_, err := e.client.NewContainer(e.ctx, "c1", readSpec(t, filepath.Join(specsDir, name+".json")))
		return err
	}
}

// reapedExec is call's error on an exec that exited and was reaped.
func reapedExec(call func(e *env, p *Process) error) func(t *testing.T, e *env) error {
	return func(t *testing.T, e *env) error {
		ctr, tsk, proc, _ := startExec(t, e, &specs.Process{CommandLine: "cmd /c exit 0"})
		defer cleanUp(t, e, ctr, tsk)
		e.rec.awaitUntil("c1", func(events []event) bool {
			for _, ev := range events {
				if ev.Type == EventExit && ev.Info.ProcessID == "e1" {
					return true
				}
			}
			return false
		})
		return call(e, proc)
	}
}

// deletedContainer is call's error on a Hyper-V container's current task
// whose container was deleted after the task exited.
func deletedContainer(call func(*Task, context.Context) error) func(t *testing.T, e *env) error {
	return func(t *testing.T, e *env) error {
		ctr, tsk, _ := e.start("c1", hypervSpec(t, "cmd /c exit 0"))
		<-tsk.waitCh
		assert.NilError(t, ctr.Delete(e.ctx))
		return call(tsk, e.ctx)
	}
}
