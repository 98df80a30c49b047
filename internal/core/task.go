package core

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	runhcs "github.com/Microsoft/hcsshim/cmd/containerd-shim-runhcs-v1/options"
	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/libcontainerd-windows/local/hcs"
)

// Task is the container's init process, and the handle on the running
// container: moby's libcontainerd Task.
type Task struct {
	Process
}

// Start is a no-op: NewTask already started the process, as in moby.
func (*Task) Start(context.Context) error { return nil }

// system returns the compute system of a current task.
func (t *Task) system() (hcs.System, error) { return t.ctr.systemOf(t) }

// Kill stops the container, Windows having no signals: SIGKILL terminates
// the system, any other signal shuts it down gracefully. Like moby, it
// reports success whatever HCS answers and only logs what is not pending
// or already stopped; the exit event tells when the task ended.
func (t *Task) Kill(ctx context.Context, signal syscall.Signal) error {
	ctx = orBackground(ctx)
	hc, err := t.system()
	if err != nil {
		return err
	}
	logger := t.log().WithFields(log.Fields{"pid": t.Pid(), "signal": signal})
	logger.Debug("Signal()")
	var op string
	if signal == syscall.SIGKILL {
		op, err = "terminate", t.ctr.askTerminate(ctx, hc)
	} else {
		op, err = "shutdown", hc.Shutdown(ctx)
	}
	if endedContext(err) {
		return fromContext(err)
	}
	if err != nil && !errors.Is(err, hcs.ErrPending) && !errors.Is(err, hcs.ErrAlreadyStopped) {
		logger.WithError(err).Errorf("failed to %s hcsshim container", op)
	}
	return nil
}

// Pause suspends a Hyper-V container. Process-isolated containers cannot
// be paused.
func (t *Task) Pause(ctx context.Context) error {
	if t.ctr.ociSpec.Windows.HyperV == nil {
		return notImplemented(t.ctr.client.line.PauseUnsupported) // moby's text, its line's
	}
	return t.whileBusy(orBackground(ctx), "pause", func(ctx context.Context, hc hcs.System) error {
		if err := hc.Pause(ctx); err != nil {
			return err
		}
		return t.ctr.transition(taskPaused, t)
	})
}

// Resume resumes a paused Hyper-V container.
func (t *Task) Resume(ctx context.Context) error {
	if t.ctr.ociSpec.Windows.HyperV == nil {
		// moby's text; not-implemented here, where moby's has no class.
		return notImplemented(errors.New("cannot resume Windows Server Containers"))
	}
	return t.whileBusy(orBackground(ctx), "resume", func(ctx context.Context, hc hcs.System) error {
		if err := hc.Resume(ctx); err != nil {
			return err
		}
		return t.ctr.transition(taskResumed, t)
	})
}

// whileBusy makes change, a call that changes the state of the current
// task's system, with the container's busy lock held until HCS answered,
// which orders it with other such calls. The state lock is not held across
// HCS's call, so that a hung one leaves Status, Kill and the rest alone.
// When ctx ends first the caller gets its error, and change goes on: what
// HCS does late still counts (a pause done late is recorded and reported
// then, as it happened).
func (t *Task) whileBusy(ctx context.Context, what string, change func(context.Context, hcs.System) error) error {
	if err := t.ctr.lock(ctx); err != nil {
		return err
	}
	hc, err := t.system()
	if err != nil {
		t.ctr.unlock()
		return err
	}
	answered := make(chan error, 1)
	go func() {
		defer t.ctr.unlock()
		err := change(context.WithoutCancel(ctx), hc)
		if err != nil && ctx.Err() != nil {
			t.log().WithError(err).Warnf("%s failed after its caller stopped waiting", what)
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		return t.ctr.answer(err)
	case <-ctx.Done():
		return fromContext(ctx.Err())
	}
}

// Stats returns the container's statistics and when they were read.
func (t *Task) Stats(ctx context.Context) (*hcs.Statistics, time.Time, error) {
	hc, err := t.system()
	if err != nil {
		return nil, time.Time{}, err
	}
	readAt := time.Now()
	s, err := hc.Statistics(orBackground(ctx))
	if err != nil {
		return nil, time.Time{}, t.ctr.answer(err)
	}
	return &s, readAt, nil
}

// Summary lists the container's processes, for `docker top`: Hyper-V
// containers' processes are not visible on the host, HCS's list is. A
// front turns each into its line's Summary with SetSummary.
func (t *Task) Summary(ctx context.Context) ([]hcs.ProcessListItem, error) {
	hc, err := t.system()
	if err != nil {
		return nil, err
	}
	list, err := hc.ProcessList(orBackground(ctx))
	if err != nil {
		return nil, t.ctr.answer(err)
	}
	return list, nil
}

// SetSummary sets s, moby's libcontainerd Summary of a process (runhcs's
// ProcessDetails), from p. It fills s in place: from hcsshim v0.12 on the
// type is a protobuf message, which must not be copied.
func SetSummary(s *runhcs.ProcessDetails, p hcs.ProcessListItem) {
	s.ImageName = p.ImageName
	s.KernelTime_100Ns = p.KernelTime100ns
	s.MemoryCommitBytes = p.MemoryCommitBytes
	s.MemoryWorkingSetPrivateBytes = p.MemoryWorkingSetPrivateBytes
	s.MemoryWorkingSetSharedBytes = p.MemoryWorkingSetSharedBytes
	s.ProcessID = p.ProcessId
	s.UserTime_100Ns = p.UserTime100ns
	// CreatedAt is a time.Time in hcsshim v0.11, which moby v26 pins, and
	// a protobuf timestamp from v0.12 on; the type switch compiles against
	// both.
	switch c := any(&s.CreatedAt).(type) {
	case *time.Time:
		*c = p.CreateTimestamp
	case **timestamppb.Timestamp:
		*c = timestamppb.New(p.CreateTimestamp)
	}
}

// Pids is not implemented on Windows, where Summary lists the processes:
// this is its error.
func (*Task) Pids(context.Context) error {
	return notImplemented(errors.New("not implemented on Windows"))
}

// CreateCheckpoint is not supported on Windows.
func (*Task) CreateCheckpoint(context.Context, string, bool) error {
	//lint:ignore ST1005 moby's text
	return notImplemented(errors.New("Windows: Containers do not support checkpoints"))
}

// Status reports the task running, paused, or stopped with its exit. It
// says stopped once the exit event is queued (Container.exited).
func (t *Task) Status(context.Context) (Status, error) {
	t.ctr.mu.Lock()
	defer t.ctr.mu.Unlock()
	switch {
	case t.hasExited():
		return Status{State: Stopped, Exit: t.exited}, nil
	case t.ctr.state.phase == paused:
		return Status{State: Paused}, nil
	}
	return Status{State: Running}, nil
}

// Delete removes the exited task from its container and returns its exit;
// it is a conflict while the task runs.
func (t *Task) Delete(ctx context.Context) (Exit, error) {
	if err := orBackground(ctx).Err(); err != nil {
		return Exit{}, fromContext(err)
	}
	if err := t.ctr.transition(taskDeleted, t); err != nil {
		return Exit{}, err
	}
	return t.exited, nil
}

// ForceDelete kills the task, waits for it to exit or for ctx, and deletes
// it.
func (t *Task) ForceDelete(ctx context.Context) error {
	ctx = orBackground(ctx)
	if !t.hasExited() {
		if err := t.Kill(ctx, syscall.SIGKILL); err != nil {
			return fmt.Errorf("could not force-kill task: %w", err)
		}
		select {
		case <-ctx.Done():
			return fromContext(ctx.Err())
		case <-t.waitCh:
		}
	}
	_, err := t.Delete(ctx)
	return err
}

// Exec starts a process in the running container and hands its stdio to
// attachStdio. The exec-added and exec-started events follow success, the
// exit event the process's end; on a failure or a panic of attachStdio the
// process is killed and released, as in NewTask. processID is
// informational: moby does not enforce its uniqueness and neither do we.
func (t *Task) Exec(ctx context.Context, processID string, spec *specs.Process, attachStdio Attach) (*Process, error) {
	hc, err := t.system()
	if err != nil {
		return nil, err
	}
	config, err := execProcessConfig(spec, t.ctr.ociSpec.Process.Cwd)
	if err != nil {
		return nil, err
	}
	p := &Process{}
	if err := t.ctr.startProcess(orBackground(ctx), p, processID, hc, config, attachStdio); err != nil {
		return nil, err
	}
	p.announce(EventExecAdded, EventExecStarted)
	go p.reap()
	return p, nil
}
