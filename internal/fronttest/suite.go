//lint:file-ignore SA1012 testNilArguments passes nil contexts on purpose: the API takes them, as moby's does.

package fronttest

import (
	"context"
	"errors"
	"io"
	"runtime"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// Run runs the suite against front f.
func Run(t *testing.T, f Front) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, *env)
	}{
		{"Lifecycle", testLifecycle},
		{"ExecWithStdin", testExecWithStdin},
		{"StdioWithoutStdin", testStdioWithoutStdin},
		{"Terminal", testTerminal},
		{"PauseResumeHyperV", testPauseResumeHyperV},
		{"PauseResumeProcessIsolated", testPauseResumeProcessIsolated},
		{"StatsAndSummary", testStatsAndSummary},
		{"ContextEnds", testContextEnds},
		{"RestartByIDWhileStatsAreInHCS", testRestartByIDWhileStatsAreInHCS},
		{"WhatWindowsDoesNotDo", testWhatWindowsDoesNotDo},
		{"ErrorClasses", testErrorClasses},
		{"Restore", testRestore},
		{"NilArguments", testNilArguments},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, newEnv(t, f)) })
	}
}

// A container's whole life: its events in the line's types, its output
// through the DirectIO, its status and exit status.
func testLifecycle(t *testing.T, e *env) {
	ctr, tsk, out := e.start("c1", spec("cmd /c echo hello & echo oops 1>&2 & exit 3", false))
	assert.NilError(t, tsk.Start(e.ctx), "a no-op: NewTask started it")
	stdout, stderr := out.Wait()
	assert.Equal(t, stdout, "hello\n")
	assert.Equal(t, stderr, "oops\n")

	events := e.rec.await("c1", 3)
	assert.DeepEqual(t, types(events), []string{"create", "start", "exit"})
	pid := events[1].Info.Pid
	assert.Check(t, pid != 0)
	assert.DeepEqual(t, events[0].Info, EventInfo{ContainerID: "c1"})
	assert.DeepEqual(t, events[1].Info, EventInfo{ContainerID: "c1", ProcessID: "c1", Pid: pid})
	exit := events[2].Info
	assert.Check(t, !exit.ExitedAt.IsZero())
	assert.DeepEqual(t, exit, EventInfo{ContainerID: "c1", ProcessID: "c1", Pid: pid, ExitCode: 3, ExitedAt: exit.ExitedAt})

	status, err := tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.DeepEqual(t, status, Status{Status: "stopped", Exit: Exit{Code: 3, Time: exit.ExitedAt}})
	assert.Equal(t, tsk.Pid(), uint32(0), "no pid once exited")
	_, err = ctr.Task(e.ctx)
	assert.NilError(t, err)

	exitStatus, err := tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.DeepEqual(t, exitStatus, Exit{Code: 3, Time: exit.ExitedAt})
	_, err = ctr.Task(e.ctx)
	assert.Check(t, e.hasClass(err, notFound))
	assert.Error(t, err, "not found")
	assert.NilError(t, ctr.Delete(e.ctx))
	assert.Check(t, e.hasClass(ctr.Delete(e.ctx), notFound))
	assert.Equal(t, e.host.OpenHandles(), 0)
}

// An exec's stdin, its events and its exit status.
// withStdin is unused, as in moby: the process has a stdin pipe either way,
// and the engine closes it when it has nothing to send.
func testStdioWithoutStdin(t *testing.T, e *env) {
	ctr, err := e.client.NewContainer(e.ctx, "c1", spec("cat", false))
	assert.NilError(t, err)
	out := &Output{}
	tsk, err := ctr.NewTask(e.ctx, false, out.Attach)
	assert.NilError(t, err)
	assert.Check(t, out.Stdio.Stdin != nil && out.Stdio.Stdout != nil && out.Stdio.Stderr != nil)
	_, err = io.WriteString(out.Stdio.Stdin, "still read\r\n")
	assert.NilError(t, err)
	assert.NilError(t, out.Stdio.Stdin.Close())
	stdout, _ := out.Wait()
	assert.Equal(t, stdout, "still read\r\n")
	e.rec.await("c1", 3)
	_, err = tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(e.ctx))
}

func testExecWithStdin(t *testing.T, e *env) {
	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", false))
	out := &Output{}
	p, err := tsk.Exec(e.ctx, "e1", &specs.Process{CommandLine: "cat"}, true, out.Attach)
	assert.NilError(t, err)
	assert.Check(t, p.Pid() != 0)
	assert.Check(t, out.Stdio.Stdin != nil && out.Stdio.Stdout != nil && out.Stdio.Stderr != nil)
	_, err = io.WriteString(out.Stdio.Stdin, "ping\r\n")
	assert.NilError(t, err)
	assert.NilError(t, out.Stdio.Stdin.Close(), "closing stdin tells the process")
	stdout, _ := out.Wait()
	assert.Equal(t, stdout, "ping\r\n")

	events := e.rec.await("c1", 5)
	assert.DeepEqual(t, types(events)[2:], []string{"exec-added", "exec-started", "exit"})
	assert.DeepEqual(t, events[2].Info, EventInfo{ContainerID: "c1", ProcessID: "e1", Pid: events[3].Info.Pid})
	exitStatus, err := p.Delete(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, exitStatus.Code, uint32(0))
	assert.Check(t, e.hasClass(p.Kill(e.ctx, syscall.SIGKILL), notFound))
	assert.Check(t, e.hasClass(p.Resize(e.ctx, 80, 25), notFound))
	assert.Check(t, e.hasClass(p.CloseStdin(e.ctx), notFound))

	running, err := tsk.Exec(e.ctx, "e2", &specs.Process{CommandLine: "ping -t localhost"}, false, (&Output{}).Attach)
	assert.NilError(t, err)
	_, err = running.Delete(e.ctx)
	assert.Check(t, e.hasClass(err, conflict))
	assert.Error(t, err, "process is running")
	assert.NilError(t, running.Kill(e.ctx, syscall.SIGKILL))
	e.stop(ctr, tsk)
}

// A terminal is an emulated console with no stderr; the DirectIO says so
// where containerd can (on Windows).
func testTerminal(t *testing.T, e *env) {
	s := spec("cmd /c echo hi", false)
	s.Process.Terminal = true
	ctr, tsk, out := e.start("c1", s)
	stdout, _ := out.Wait()
	assert.Equal(t, stdout, "hi\n")
	assert.Check(t, out.Stdio.Stderr == nil)
	assert.Equal(t, out.Stdio.Terminal, runtime.GOOS == "windows")
	e.rec.await("c1", 3)
	_, err := tsk.Delete(e.ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(e.ctx))
}

func testPauseResumeHyperV(t *testing.T, e *env) {
	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", true))
	assert.NilError(t, tsk.Pause(e.ctx))
	status, err := tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.Status, "paused")
	assert.NilError(t, tsk.Resume(e.ctx))
	status, err = tsk.Status(e.ctx)
	assert.NilError(t, err)
	assert.Equal(t, status.Status, "running")
	assert.NilError(t, tsk.Kill(e.ctx, syscall.SIGTERM))
	events := e.rec.await("c1", 5)
	assert.DeepEqual(t, types(events), []string{"create", "start", "paused", "resumed", "exit"})
	assert.DeepEqual(t, events[2].Info, EventInfo{ContainerID: "c1", ProcessID: "c1"})
	assert.Equal(t, events[4].Info.ExitCode, uint32(hcsfake.ExitCodeShutdown))
	assert.NilError(t, ctr.Delete(e.ctx))
}

// The line's texts for a process-isolated container's Pause, and moby's
// for its Resume.
func testPauseResumeProcessIsolated(t *testing.T, e *env) {
	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", false))
	err := tsk.Pause(e.ctx)
	assert.Check(t, e.hasClass(err, notImplemented))
	assert.Error(t, err, e.f.PauseUnsupported)
	err = tsk.Resume(e.ctx)
	assert.Check(t, e.hasClass(err, notImplemented))
	assert.Error(t, err, "cannot resume Windows Server Containers")
	e.stop(ctr, tsk)
}

func testStatsAndSummary(t *testing.T, e *env) {
	before := time.Now()
	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", false))
	stats, readAt, err := tsk.Stats(e.ctx)
	assert.NilError(t, err)
	assert.Check(t, !readAt.Before(before))
	assert.Assert(t, stats != nil, "the HCS statistics are where the line's types carry them")
	assert.Equal(t, stats.Memory.UsageCommitBytes, uint64(8<<20))
	summary, err := tsk.Summary(e.ctx)
	assert.NilError(t, err)
	assert.Assert(t, is.Len(summary, 1))
	assert.Equal(t, summary[0].ImageName, "ping")
	assert.Equal(t, summary[0].ProcessID, tsk.Pid())
	assert.Check(t, !summary[0].CreatedAt.Before(before.Truncate(time.Second)))
	e.stop(ctr, tsk)
	_, _, err = tsk.Stats(e.ctx)
	assert.Check(t, e.hasClass(err, notFound))
}

// A call whose context ends while HCS holds it returns the context's
// error, classed for every errdefs package of the line and for moby's; the
// task answers again once HCS does.
func testContextEnds(t *testing.T, e *env) {
	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", false))
	hang := make(chan struct{})
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpStatistics, Hang: hang, Times: 1})
	ctx, cancel := context.WithCancel(e.ctx)
	answered := make(chan error, 1)
	go func() { _, _, err := tsk.Stats(ctx); answered <- err }()
	e.host.AwaitCalls(hcsfake.OpStatistics, 1)
	cancel()
	canceled := <-answered
	close(hang)
	ended, end := context.WithDeadline(e.ctx, time.Unix(0, 0))
	defer end()
	_, deadline := tsk.Summary(ended)

	assert.Check(t, errors.Is(canceled, context.Canceled), "%v", canceled)
	assert.Check(t, MobyClass[interface{ Cancelled() }](canceled), "%v", canceled)
	assert.Check(t, errors.Is(deadline, context.DeadlineExceeded), "%v", deadline)
	assert.Check(t, MobyClass[interface{ DeadlineExceeded() }](deadline), "%v", deadline)
	for _, d := range e.f.Errdefs {
		assert.Check(t, d.IsCanceled(canceled), "%s: %v", d.Name, canceled)
		assert.Check(t, d.IsDeadlineExceeded(deadline), "%s: %v", d.Name, deadline)
	}
	_, _, err := tsk.Stats(e.ctx)
	assert.NilError(t, err)
	e.stop(ctr, tsk)
}

// An engine deletes a container and creates it again under its id (a
// restart) while a stats poll of the old one is still in HCS: the new
// NewContainer waits for the old system's release, bounded by its context,
// then succeeds.
func testRestartByIDWhileStatsAreInHCS(t *testing.T, e *env) {
	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", false))
	hang := make(chan struct{})
	e.host.Inject(hcsfake.Fault{Op: hcsfake.OpStatistics, Hang: hang, Times: 1})
	polled := make(chan error, 1)
	go func() { _, _, err := tsk.Stats(e.ctx); polled <- err }()
	e.host.AwaitCalls(hcsfake.OpStatistics, 1)
	e.stop(ctr, tsk)

	// HCS holds the poll until hang closes: the deadline passes while
	// NewContainer waits, however fast the machine.
	short, cancel := context.WithTimeout(e.ctx, 10*time.Millisecond)
	defer cancel()
	_, err := e.client.NewContainer(short, "c1", spec("cmd /c exit 3", false))
	assert.Check(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	for _, d := range e.f.Errdefs {
		assert.Check(t, d.IsDeadlineExceeded(err), "%s: %v", d.Name, err)
	}

	again := make(chan error, 1)
	go func() {
		ctr, err := e.client.NewContainer(e.ctx, "c1", spec("cmd /c exit 3", false))
		if err == nil {
			err = ctr.Delete(e.ctx)
		}
		again <- err
	}()
	close(hang)
	<-polled
	assert.NilError(t, <-again, "the container created again under its id")
	e.host.AwaitOpenHandles(0)
}

func testWhatWindowsDoesNotDo(t *testing.T, e *env) {
	err := e.client.Version(e.ctx)
	assert.Check(t, e.hasClass(err, notImplemented))
	assert.Error(t, err, "not implemented on Windows")
	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", false))
	err = tsk.Pids(e.ctx)
	assert.Check(t, e.hasClass(err, notImplemented))
	assert.Error(t, err, "not implemented on Windows")
	assert.NilError(t, tsk.UpdateResources(e.ctx))
	err = tsk.CreateCheckpoint(e.ctx, "", false)
	assert.Check(t, e.hasClass(err, notImplemented))
	assert.Error(t, err, "Windows: Containers do not support checkpoints")
	// AttachTask's not found lets a restore go on; its cause is moby's.
	err = ctr.AttachTask(e.ctx)
	assert.Check(t, e.hasClass(err, notFound))
	assert.Error(t, err, "not implemented")
	for _, d := range e.f.Errdefs {
		assert.Check(t, d.IsNotImplemented(err), "%s: moby's cause is kept", d.Name)
	}
	e.stop(ctr, tsk)
}

func testErrorClasses(t *testing.T, e *env) {
	bad := spec("cmd", false)
	bad.Windows.LayerFolders = bad.Windows.LayerFolders[:1]
	_, err := e.client.NewContainer(e.ctx, "bad", bad)
	assert.Check(t, e.hasClass(err, invalidArgument))
	assert.Error(t, err, "OCI spec is invalid - at least two LayerFolders must be supplied to the runtime")

	ctr, tsk, _ := e.start("c1", spec("ping -t localhost", false))
	_, err = ctr.NewTask(e.ctx, false, (&Output{}).Attach)
	assert.Check(t, e.hasClass(err, notModified))
	assert.Error(t, err, "already exists")
	for _, d := range e.f.Errdefs {
		if d.IsAlreadyExists != nil {
			assert.Check(t, d.IsAlreadyExists(err), "%s: moby's cause is kept", d.Name)
		}
	}
	err = ctr.Delete(e.ctx)
	assert.Check(t, e.hasClass(err, conflict))
	assert.Error(t, err, "container is not stopped")
	_, err = tsk.Delete(e.ctx)
	assert.Check(t, e.hasClass(err, conflict))
	e.stop(ctr, tsk)
}

// A container left by an earlier client is terminated and can be deleted.
func testRestore(t *testing.T, e *env) {
	_, _, _ = e.start("c1", spec("ping -t localhost", false))
	later, err := e.f.NewClient(e.ctx, e.host, newRecorder())
	assert.NilError(t, err)
	ctr, err := later.LoadContainer(e.ctx, "c1")
	assert.NilError(t, err)
	_, err = ctr.NewTask(e.ctx, false, (&Output{}).Attach)
	assert.Check(t, e.hasClass(err, notImplemented))
	assert.NilError(t, ctr.Delete(e.ctx))
	_, err = later.LoadContainer(e.ctx, "nobody")
	assert.Check(t, e.hasClass(err, notFound))
	assert.Error(t, err, "container not found")
	e.rec.await("c1", 3) // the first client saw its task end
}

// No function panics on a nil argument: a nil Backend or attachStdio is an
// invalid parameter, a nil context an empty one.
func testNilArguments(t *testing.T, e *env) {
	_, err := e.f.NewClient(nil, e.host, nil)
	assert.Check(t, e.hasClass(err, invalidArgument))
	c, err := e.f.NewClient(nil, e.host, e.rec)
	assert.NilError(t, err)
	_, err = c.NewContainer(nil, "c1", nil)
	assert.Check(t, e.hasClass(err, invalidArgument))
	ctr, err := c.NewContainer(nil, "c1", spec("ping -t localhost", false))
	assert.NilError(t, err)
	_, err = ctr.NewTask(nil, false, nil)
	assert.Check(t, e.hasClass(err, invalidArgument))
	tsk, err := ctr.NewTask(nil, false, (&Output{}).Attach)
	assert.NilError(t, err)
	_, err = tsk.Exec(nil, "e1", nil, false, (&Output{}).Attach)
	assert.Check(t, e.hasClass(err, invalidArgument))
	_, err = tsk.Exec(nil, "e1", &specs.Process{CommandLine: "cmd"}, false, nil)
	assert.Check(t, e.hasClass(err, invalidArgument))
	assert.NilError(t, tsk.ForceDelete(nil))
	assert.NilError(t, ctr.Delete(nil))
}
