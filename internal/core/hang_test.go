package core

import (
	"context"
	"errors"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/fronttest"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// subject is what a hung call works on: container c1, and what the case's
// setup made of it.
type subject struct {
	e    *env
	ctr  *Container
	tsk  *Task
	exec *Process
	// loader is a second client, as after a daemon's restart, and loaded
	// what its LoadContainer returned.
	loader *Client
	loaded *Container
}

// The setups of the hung calls' subjects.
const (
	setupNone    = iota // no container: the call makes one
	setupCreated        // c1 created, no task
	setupRunning        // c1's task runs, and an exec e1 with a console
	setupExited         // c1's task exited
	setupHyperV         // c1's task runs, Hyper-V isolated
	setupLeft           // c1 running, left by an earlier client
)

func setUp(t *testing.T, e *env, setup int) *subject {
	s := &subject{e: e}
	switch setup {
	case setupCreated:
		s.ctr = e.create("c1", spec(t, "ping -t localhost"))
	case setupRunning, setupLeft:
		s.ctr, s.tsk, _ = e.start("c1", spec(t, "ping -t localhost"))
		out := &output{}
		var err error
		s.exec, err = s.tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "ping -t localhost", Terminal: true}, out.attach)
		assert.NilError(t, err)
		if setup == setupLeft {
			s.loader = e.newClient()
		}
	case setupExited:
		s.ctr, s.tsk, _ = e.start("c1", spec(t, "cmd /c exit 0"))
		<-s.tsk.waitCh
	case setupHyperV:
		s.ctr, s.tsk, _ = e.start("c1", hypervSpec(t, "ping -t localhost"))
	}
	return s
}

// tearDown removes every container of the host's, so that no handle is
// left. A system listed may go before it is opened: the library closes
// its handles in the background.
func (s *subject) tearDown(t *testing.T) {
	for _, id := range s.e.host.Systems() {
		hc, err := s.e.host.OpenSystem(s.e.ctx, id)
		if errors.Is(err, hcs.ErrNotExist) {
			continue
		}
		assert.NilError(t, err)
		_ = hc.Terminate(s.e.ctx)
		assert.NilError(t, hc.Wait(s.e.ctx))
		assert.NilError(t, hc.Close(s.e.ctx))
	}
	for _, ctr := range []*Container{s.ctr, s.loaded} {
		if ctr == nil {
			continue
		}
		if tsk, err := ctr.Task(s.e.ctx); err == nil {
			<-tsk.waitCh
		}
		if err := ctr.Delete(s.e.ctx); err != nil {
			assert.Check(t, isNotFound(err), "%v", err)
		}
	}
}

// hungCall is an API call, and the HCS call it makes that is held.
type hungCall struct {
	name  string
	op    hcsfake.Op
	setup int
	call  func(ctx context.Context, s *subject) error
	// again is a call that works once HCS answers again; call when nil.
	again func(ctx context.Context, s *subject) error
	// settle waits for what the abandoned call does late, if again
	// depends on it.
	settle func(e *env)
}

func hungCalls() []hungCall {
	newContainer := func(ctx context.Context, s *subject) error {
		ctr, err := s.e.client.NewContainer(ctx, "c1", spec(s.e.t, "ping -t localhost"))
		if err == nil {
			s.ctr = ctr
		}
		return err
	}
	exec := func(ctx context.Context, s *subject) error {
		_, err := s.tsk.Exec(ctx, "e2", &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach)
		return err
	}
	deleteContainer := func(ctx context.Context, s *subject) error { return s.ctr.Delete(ctx) }
	load := func(ctx context.Context, s *subject) error {
		ctr, err := s.loader.LoadContainer(ctx, "c1")
		if err == nil {
			s.loaded = ctr
		}
		return err
	}
	pause := func(ctx context.Context, s *subject) error { return s.tsk.Pause(ctx) }
	resume := func(ctx context.Context, s *subject) error { return s.tsk.Resume(ctx) }
	return []hungCall{
		// The system HCS creates late is terminated and closed.
		{name: "NewContainer", op: hcsfake.OpCreateSystem, call: newContainer, settle: func(e *env) {
			e.host.AwaitCalls(hcsfake.OpTerminate, 1)
			e.host.AwaitGone("c1")
		}},
		// The system that started late is terminated and closed too.
		{name: "NewContainer", op: hcsfake.OpStart, call: newContainer, settle: func(e *env) { e.host.AwaitGone("c1") }},
		{name: "NewContainer", op: hcsfake.OpNameToGuid, call: newContainer},
		{name: "LoadContainer", op: hcsfake.OpOpenSystem, setup: setupLeft, call: load},
		{name: "LoadContainer", op: hcsfake.OpTerminate, setup: setupLeft, call: load},
		{name: "NewTask", op: hcsfake.OpCreateProcess, setup: setupCreated, call: func(ctx context.Context, s *subject) error {
			_, err := s.ctr.NewTask(ctx, (&output{}).attach)
			return err
		}},
		{name: "Exec", op: hcsfake.OpCreateProcess, setup: setupRunning, call: exec},
		{name: "Stats", op: hcsfake.OpStatistics, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			_, _, err := s.tsk.Stats(ctx)
			return err
		}},
		{name: "Summary", op: hcsfake.OpProcessList, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			_, err := s.tsk.Summary(ctx)
			return err
		}},
		{name: "Task.Kill", op: hcsfake.OpShutdown, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			return s.tsk.Kill(ctx, syscall.SIGTERM)
		}},
		{name: "Task.Kill", op: hcsfake.OpTerminate, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			return s.tsk.Kill(ctx, syscall.SIGKILL)
		}},
		{name: "Process.Kill", op: hcsfake.OpProcessKill, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			return s.exec.Kill(ctx, syscall.SIGKILL)
		}, again: exec},
		{name: "Process.Resize", op: hcsfake.OpProcessResize, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			return s.exec.Resize(ctx, 80, 25)
		}},
		{name: "Process.CloseStdin", op: hcsfake.OpProcessCloseStdin, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			return s.exec.CloseStdin(ctx)
		}},
		// A pause or resume HCS does late is recorded then: the call that
		// works afterwards is the opposite one.
		{name: "Pause", op: hcsfake.OpPause, setup: setupHyperV, call: pause, again: resume},
		{name: "Resume", op: hcsfake.OpResume, setup: setupHyperV, call: func(ctx context.Context, s *subject) error {
			if err := s.tsk.Pause(s.e.ctx); err != nil {
				return err
			}
			return s.tsk.Resume(ctx)
		}, again: pause},
		{name: "Container.Delete", op: hcsfake.OpShutdown, setup: setupExited, call: deleteContainer},
		{name: "Container.Delete", op: hcsfake.OpWaitTimeout, setup: setupExited, call: deleteContainer},
		// Once Delete asked for the handle's Close the container is gone.
		{name: "Container.Delete", op: hcsfake.OpClose, setup: setupExited, call: deleteContainer,
			again: func(ctx context.Context, s *subject) error {
				if err := s.ctr.Delete(ctx); !isNotFound(err) {
					return errors.Join(errors.New("want not found"), err)
				}
				return nil
			}},
		{name: "ForceDelete", op: hcsfake.OpTerminate, setup: setupRunning, call: func(ctx context.Context, s *subject) error {
			return s.tsk.ForceDelete(ctx)
		}},
	}
}

// Every API call that asks HCS something returns its context's error when
// the context ends while HCS holds the call; meanwhile another container
// lives a whole life; once HCS answers, the container is usable again, and
// once everything is removed no handle is left.
func TestHungCallsEndWithTheirContext(t *testing.T) {
	for _, tc := range hungCalls() {
		t.Run(tc.name+"/"+string(tc.op), func(t *testing.T) {
			e := newEnv(t)
			s := setUp(t, e, tc.setup)
			calls := e.host.Calls(tc.op)
			hang := make(chan struct{})
			e.host.Inject(hcsfake.Fault{Op: tc.op, Hang: hang, Times: 1})

			ctx, cancel := context.WithCancel(e.ctx)
			defer cancel()
			returned := make(chan error, 1)
			go func() { returned <- tc.call(ctx, s) }()
			e.host.AwaitCalls(tc.op, calls+1) // held inside HCS

			liveALife(t, e, "other")
			cancel()
			err := <-returned
			assert.Check(t, errors.Is(err, context.Canceled), "%v", err)
			assert.Check(t, fronttest.MobyClass[interface{ Cancelled() }](err), "%v", err)

			close(hang)
			if tc.settle != nil {
				tc.settle(e)
			}
			again := tc.again
			if again == nil {
				again = tc.call
			}
			assert.NilError(t, again(e.ctx, s))
			s.tearDown(t)
			e.host.AwaitOpenHandles(0)
		})
	}
}

// liveALife runs container id from creation to deletion.
func liveALife(t *testing.T, e *env, id string) {
	t.Helper()
	ctr, tsk, out := e.start(id, spec(t, "cmd /c echo hi"))
	stdout, _ := out.wait()
	assert.Equal(t, stdout, "hi\n")
	<-tsk.waitCh
	_, err := tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.Check(t, is.Len(e.rec.await(id, 3), 3))
}

// A Pause that HCS holds keeps the container's lock for calls that change
// its state, and no other: calls that ask HCS nothing, or something else,
// answer meanwhile, and a Kill ends the container (D3 of the hang issue).
func TestHungPauseLeavesTheContainerUsable(t *testing.T) {
	e := newEnv(t)
	s := setUp(t, e, setupHyperV)
	hang := make(chan struct{})
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpPause, Hang: hang, Times: 1})
	paused := make(chan error, 1)
	go func() { paused <- s.tsk.Pause(e.ctx) }()
	e.host.AwaitCalls(hcsfake.OpPause, 1)

	status, err := s.tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.State, Running)
	_, err = s.ctr.Task(e.ctx)
	assert.NilError(t, err)
	assert.Check(t, s.tsk.Pid() != 0)
	_, _, err = s.tsk.Stats(e.ctx)
	assert.NilError(t, err)
	_, err = s.tsk.Summary(e.ctx)
	assert.NilError(t, err)

	// Calls that wait for the Pause honour their context.
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	assert.Check(t, errors.Is(s.tsk.Resume(ctx), context.Canceled))
	assert.Check(t, errors.Is(s.ctr.Delete(ctx), context.Canceled))
	_, err = s.ctr.NewTask(ctx, (&output{}).attach)
	assert.Check(t, errors.Is(err, context.Canceled))

	assert.NilError(t, s.tsk.Kill(e.ctx, syscall.SIGKILL))
	<-s.tsk.waitCh
	close(hang)
	assert.Check(t, <-paused != nil, "the system stopped before HCS paused it")
	assert.NilError(t, s.ctr.Delete(e.ctx))
	e.host.AwaitOpenHandles(0)
}

// Close does not wait for the calls in flight on the handle, as hcsshim's
// does (the in-memory host's model of it): a Delete returns while a Stats
// is held, and the exit of a process whose Kill HCS holds is reported at
// once (D4 of the hang issue).
func TestCloseDoesNotWaitForCallsInFlight(t *testing.T) {
	t.Run("Delete", func(t *testing.T) {
		e := newEnv(t)
		s := setUp(t, e, setupRunning)
		hang := make(chan struct{})
		e.host.Inject(hcsfake.Fault{Op: hcsfake.OpStatistics, Hang: hang, Times: 1})
		stats := make(chan error, 1)
		go func() { _, _, err := s.tsk.Stats(e.ctx); stats <- err }()
		e.host.AwaitCalls(hcsfake.OpStatistics, 1)

		assert.NilError(t, s.tsk.ForceDelete(e.ctx))
		assert.NilError(t, s.ctr.Delete(e.ctx))
		_, err := s.ctr.Task(e.ctx)
		assert.Check(t, isNotFound(err))
		assert.Check(t, e.host.OpenHandles() > 0, "the handle is closed once the Stats returned")

		close(hang)
		err = <-stats
		assert.Check(t, isNotFound(err), "%v", err)
		e.host.AwaitOpenHandles(0)
	})
	t.Run("exit", func(t *testing.T) {
		e := newEnv(t)
		s := setUp(t, e, setupRunning)
		hang := make(chan struct{})
		e.host.Inject(hcsfake.Fault{Op: hcsfake.OpProcessKill, Pid: int(s.exec.Pid()), Hang: hang, Times: 1})
		killed := make(chan error, 1)
		go func() { killed <- s.exec.Kill(e.ctx, syscall.SIGKILL) }()
		e.host.AwaitCalls(hcsfake.OpProcessKill, 1)

		assert.NilError(t, s.tsk.Kill(e.ctx, syscall.SIGKILL))
		e.rec.awaitUntil("c1", func(events []event) bool {
			exits := 0
			for _, ev := range events {
				if ev.Type == EventExit {
					exits++
				}
			}
			return exits == 2 // the exec's too, while its Kill is held
		})
		assert.Check(t, s.exec.Pid() == 0)
		close(hang)
		err := <-killed
		assert.Check(t, isNotFound(err), "%v", err)
		assert.NilError(t, s.ctr.Delete(e.ctx))
		e.host.AwaitOpenHandles(0)
	})
}

// A call whose context ended before it got its turn does nothing: it asks
// HCS nothing and no event follows, whichever of the two a wait picks
// when both are ready. Each call is made many times, since a select
// picks at random.
func TestCallsWhoseContextEndedDoNothing(t *testing.T) {
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", hypervSpec(t, "ping -t localhost"))
	exec, err := tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "ping -t localhost"}, (&output{}).attach)
	assert.NilError(t, err)
	idle := e.create("c2", spec(t, "ping -t localhost"))
	ended, cancel := context.WithCancel(e.ctx)
	cancel()

	calls := []struct {
		name string
		call func() error
	}{
		{"Pause", func() error { return tsk.Pause(ended) }},
		{"Resume", func() error { return tsk.Resume(ended) }},
		{"Task.Kill SIGTERM", func() error { return tsk.Kill(ended, syscall.SIGTERM) }},
		{"Task.Kill SIGKILL", func() error { return tsk.Kill(ended, syscall.SIGKILL) }},
		{"ForceDelete", func() error { return tsk.ForceDelete(ended) }},
		{"Stats", func() error { _, _, err := tsk.Stats(ended); return err }},
		{"Summary", func() error { _, err := tsk.Summary(ended); return err }},
		{"Exec", func() error {
			_, err := tsk.Exec(ended, "e2", &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach)
			return err
		}},
		{"Process.Kill", func() error { return exec.Kill(ended, syscall.SIGKILL) }},
		{"Process.Resize", func() error { return exec.Resize(ended, 80, 25) }},
		{"Process.CloseStdin", func() error { return exec.CloseStdin(ended) }},
		{"NewTask", func() error { _, err := idle.NewTask(ended, (&output{}).attach); return err }},
		{"Container.Delete", func() error { return idle.Delete(ended) }},
		{"NewContainer", func() error { _, err := e.client.NewContainer(ended, "c3", spec(t, "cmd /c exit 0")); return err }},
		{"LoadContainer", func() error { _, err := e.client.LoadContainer(ended, "c1"); return err }},
	}
	asked := func() int {
		n := 0
		for _, op := range allOps {
			n += e.host.Calls(op)
		}
		return n
	}
	e.host.AwaitCalls(hcsfake.OpProcessWait, 2) // the reapers'
	before, events := asked(), len(e.rec.await("c1", 4))
	for _, c := range calls {
		for i := 0; i < 100; i++ {
			err := c.call()
			assert.Assert(t, errors.Is(err, context.Canceled), "%s: %v", c.name, err)
		}
		assert.Equal(t, asked(), before, "%s asked HCS", c.name)
	}
	// Resume of a paused task, Pause of it again.
	assert.NilError(t, tsk.Pause(e.ctx))
	before, events = asked(), events+1
	for i := 0; i < 100; i++ {
		assert.Assert(t, errors.Is(tsk.Resume(ended), context.Canceled))
	}
	assert.Equal(t, asked(), before, "Resume asked HCS")
	assert.Equal(t, len(e.rec.await("c1", events)), events, "events: %v", eventTypes(e.rec.stream("c1")))
	state, _ := e.host.State("c1")
	assert.Equal(t, state, hcsfake.StatePaused)

	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.NilError(t, idle.Delete(e.ctx))
}

// allOps is every operation of the in-memory host.
var allOps = []hcsfake.Op{
	hcsfake.OpCreateSystem, hcsfake.OpOpenSystem, hcsfake.OpNameToGuid, hcsfake.OpPathExists,
	hcsfake.OpStart, hcsfake.OpShutdown, hcsfake.OpTerminate, hcsfake.OpWait, hcsfake.OpWaitTimeout,
	hcsfake.OpPause, hcsfake.OpResume, hcsfake.OpStatistics, hcsfake.OpProcessList,
	hcsfake.OpCreateProcess, hcsfake.OpClose,
	hcsfake.OpProcessKill, hcsfake.OpProcessWait, hcsfake.OpProcessWaitTimeout, hcsfake.OpProcessExitCode,
	hcsfake.OpProcessResize, hcsfake.OpProcessStdio, hcsfake.OpProcessCloseStdin, hcsfake.OpProcessClose,
}
