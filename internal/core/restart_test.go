package core

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// An engine re-creates a container under its id after Delete (restart
// policies, docker restart). A call on the old container still in HCS puts
// off the release of its system, which holds the id until then: the new
// NewContainer waits for that release, bounded by its own context, and
// then succeeds, as in moby, where hcsshim's Close waits for the call
// instead (and so Delete does).
func TestNewContainerAfterDeleteWaitsForTheOldSystemsRelease(t *testing.T) {
	cases := []struct {
		name string
		op   hcsfake.Op
		// inFlight starts the call that HCS holds, on c1 whose task runs
		// until its stdin closes, and returns what waits for the call.
		inFlight func(t *testing.T, e *env, tsk *Task) (wait func())
	}{
		{"a stats poll", hcsfake.OpStatistics, func(t *testing.T, e *env, tsk *Task) func() {
			done := make(chan error, 1)
			go func() { _, _, err := tsk.Stats(e.ctx); done <- err }()
			return func() { <-done }
		}},
		{"a SIGTERM's shutdown when the task exits by itself", hcsfake.OpShutdown, func(t *testing.T, e *env, tsk *Task) func() {
			done := make(chan error, 1)
			go func() { done <- tsk.Kill(e.ctx, syscall.SIGTERM) }()
			return func() { assert.NilError(t, <-done) }
		}},
		{"a racing SIGKILL", hcsfake.OpTerminate, func(t *testing.T, e *env, tsk *Task) func() {
			done := make(chan error, 1)
			go func() { done <- tsk.Kill(e.ctx, syscall.SIGKILL) }()
			return func() { assert.NilError(t, <-done) }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctr, tsk, out := e.start("c1", spec(t, "more"))
			hang := make(chan struct{})
			e.host.Inject(hcsfake.Fault{Op: tc.op, ID: "c1", Hang: hang, Times: 1})
			released := false
			defer func() {
				if !released {
					close(hang)
				}
			}()
			wait := tc.inFlight(t, e, tsk)
			e.host.AwaitCalls(tc.op, 1)

			assert.NilError(t, out.stdin.Close())
			<-tsk.waitCh
			_, err := tsk.Delete(e.ctx)
			assert.NilError(t, err)
			assert.NilError(t, ctr.Delete(e.ctx))

			// HCS holds the call until the test releases it, so the
			// context ends while NewContainer waits, however fast the
			// machine.
			ctx, cancel := context.WithTimeout(e.ctx, 10*time.Millisecond)
			defer cancel()
			_, err = e.client.NewContainer(ctx, "c1", spec(t, "cmd /c exit 3"))
			assert.Assert(t, errors.Is(err, context.DeadlineExceeded), "NewContainer while the old system's release is put off: %v", err)
			_, classed := err.(interface{ DeadlineExceeded() })
			assert.Assert(t, classed, "%v is not classed for moby's errdefs", err)

			created := make(chan error, 1)
			go func() {
				ctr, err := e.client.NewContainer(e.ctx, "c1", spec(t, "cmd /c exit 3"))
				if err == nil {
					var tsk *Task
					if tsk, err = ctr.NewTask(e.ctx, (&output{}).attach); err == nil {
						<-tsk.waitCh
						err = errors.Join(tsk.ForceDelete(e.ctx), ctr.Delete(e.ctx))
					}
				}
				created <- err
			}()
			close(hang)
			released = true
			wait()
			assert.NilError(t, <-created, "the container's second life")
			e.host.AwaitOpenHandles(0)
		})
	}
}

// A task's exit is queued before anything its exit allows answers: Status
// says stopped, Task.Delete succeeds, and so the next task's start event,
// which carries the same ProcessID, comes after the exit, as the order of
// causes has it.
func TestATasksExitComesBeforeTheNextTasksStart(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd /c exit 0"))
	// Another goroutine takes the client's emit lock over and over, so
	// that the reaper often waits for it between recording the exit and
	// queuing its event: where an exit used to come after the next start.
	stop := make(chan struct{})
	contended := make(chan struct{})
	go func() {
		defer close(contended)
		for {
			select {
			case <-stop:
				return
			default:
			}
			e.client.emitting.Lock()
			runtime.Gosched()
			e.client.emitting.Unlock()
		}
	}()
	const tasks = 1000
	for i := 0; i < tasks; i++ {
		tsk, err := ctr.NewTask(e.ctx, (&output{}).attach)
		assert.NilError(t, err)
		for {
			status, err := tsk.Status(e.ctx)
			assert.NilError(t, err)
			if status.State == Stopped {
				break
			}
			runtime.Gosched()
		}
		_, err = tsk.Delete(e.ctx)
		assert.NilError(t, err)
	}
	close(stop)
	<-contended

	events := e.rec.await("c1", 1+2*tasks)
	late := 0
	for i, ev := range events[1:] {
		want := EventStart
		if i%2 == 1 {
			want = EventExit
		}
		if ev.Type != want {
			late++
		}
	}
	assert.Equal(t, late, 0, "events out of order: %v", eventTypes(events))
	assert.NilError(t, ctr.Delete(e.ctx))
}

// An engine that handles an exit event asks about the process: moby from
// v29.2 drops a task's exit while the task's Status says running, and
// deletes the task, or the exec, to read its exit code. Both find the
// process exited, with the event's exit code.
func TestTheExitIsReadableWhenItsEventIsHandled(t *testing.T) {
	e := newEnv(t)
	var (
		mu      sync.Mutex
		tsk     *Task
		exec    *Process
		answers []string
	)
	e.rec.onEvent = func(id string, ev EventType) {
		if ev != EventExit {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if exec != nil {
			exit, err := exec.Delete(e.ctx)
			answers = append(answers, fmt.Sprintf("exec: %d %v", exit.Code, err))
			exec = nil
			return
		}
		status, err := tsk.Status(e.ctx)
		answers = append(answers, fmt.Sprintf("status: %s %d %v", status.State, status.Exit.Code, err))
		exit, err := tsk.Delete(e.ctx)
		answers = append(answers, fmt.Sprintf("task: %d %v", exit.Code, err))
	}
	ctr, task, out := e.start("c1", spec(t, "more"))
	mu.Lock()
	tsk = task
	var err error
	exec, err = task.Exec(e.ctx, "e1", &specs.Process{CommandLine: "cmd /c exit 4"}, (&output{}).attach)
	mu.Unlock()
	assert.NilError(t, err)
	e.rec.await("c1", 5)
	assert.NilError(t, out.stdin.Close())
	e.rec.await("c1", 6)
	assert.DeepEqual(t, answers, []string{"exec: 4 <nil>", "status: stopped 0 <nil>", "task: 0 <nil>"})
	assert.NilError(t, ctr.Delete(e.ctx))
}

// A NewContainer whose context ended while HCS held its Start returns, and
// the library terminates and releases the system in the background: a
// NewContainer of the same id, an engine's retry, waits for that clean-up,
// bounded by its own context, and then succeeds.
func TestNewContainerAfterAFailedOneWaitsForItsCleanUp(t *testing.T) {
	e := newEnv(t)
	hang := make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(hang)
		}
	}()
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpStart, ID: "c1", Hang: hang, Times: 1})
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpTerminate, ID: "c1", Hang: hang, Times: 1})
	ctx, cancel := context.WithCancel(e.ctx)
	go func() {
		e.host.AwaitCalls(hcsfake.OpStart, 1)
		cancel()
	}()
	_, err := e.client.NewContainer(ctx, "c1", spec(t, "cmd /c exit 3"))
	assert.Assert(t, errors.Is(err, context.Canceled), "%v", err)
	e.host.AwaitCalls(hcsfake.OpTerminate, 1) // the clean-up, held

	short, cancelShort := context.WithTimeout(e.ctx, 10*time.Millisecond)
	defer cancelShort()
	_, err = e.client.NewContainer(short, "c1", spec(t, "cmd /c exit 3"))
	assert.Assert(t, errors.Is(err, context.DeadlineExceeded), "NewContainer while the clean-up of the failed one runs: %v", err)

	created := make(chan error, 1)
	go func() {
		ctr, err := e.client.NewContainer(e.ctx, "c1", spec(t, "cmd /c exit 3"))
		if err == nil {
			err = ctr.Delete(e.ctx)
		}
		created <- err
	}()
	close(hang)
	released = true
	assert.NilError(t, <-created)
	e.host.AwaitOpenHandles(0)
}
