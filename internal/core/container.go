package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
)

// Container is a created container: moby's libcontainerd Container.
type Container struct {
	client *Client // Invariants: immutable, non-nil
	id     string  // Invariants: immutable

	// ociSpec is the spec the container was created from; nil for a
	// container loaded by LoadContainer, which cannot be started.
	// Invariants: immutable.
	ociSpec *specs.Spec

	// mu guards the fields below. Lock order: a process's mu before its
	// container's mu. Neither is held while HCS creates a process or while
	// the engine's attachStdio runs.
	mu sync.Mutex
	// system is the handle on the compute system; nil once the
	// container was deleted.
	system   hcs.System
	isPaused bool
	// terminateInvoked records a SIGKILL: the system is already being
	// terminated, so Delete waits rather than asking for a shutdown.
	terminateInvoked bool
	// starting is set while NewTask runs without the lock, so that
	// neither a second NewTask nor Delete gets in its way.
	starting bool
	// task is the current task; nil before NewTask and after the task's
	// Delete.
	task *Task
}

func (c *Client) newContainer(id string, spec *specs.Spec, hc hcs.System) *Container {
	return &Container{client: c, id: id, ociSpec: spec, system: hc}
}

// log is the client's logger with the container's id. It is made when
// something is logged rather than kept: kept, it would cost an idle
// container about 450 bytes, five times the rest of its record.
func (ctr *Container) log() *log.Entry {
	return ctr.client.logger.WithField("container", ctr.id)
}

// NewTask starts the container's init process and hands its stdio to
// attachStdio. The start event follows success. When a step after the
// process's creation fails, or attachStdio panics, the process is killed
// and released, no task is recorded, and the error is returned or the panic
// goes on.
//
// The container's lock is not held while HCS creates the process nor while
// the engine's attachStdio runs; starting keeps other calls out meanwhile.
func (ctr *Container) NewTask(_ context.Context, attachStdio Attach) (*Task, error) {
	hc, err := ctr.claimStart()
	if err != nil {
		return nil, err
	}
	recorded := false
	defer func() {
		// On a failure and on a panic alike, the claim ends.
		if !recorded {
			ctr.mu.Lock()
			ctr.starting = false
			ctr.mu.Unlock()
		}
	}()

	t := &Task{}
	if err := ctr.startProcess(&t.Process, ctr.id, hc, taskProcessConfig(ctr.ociSpec.Process), attachStdio); err != nil {
		return nil, err
	}
	ctr.mu.Lock()
	ctr.task = t
	ctr.starting = false
	ctr.isPaused = false // a paused task that exited leaves no trace
	recorded = true
	// Under the lock, so that nothing the new task allows (a pause, an
	// exec) is reported before its start.
	t.run(EventStart)
	ctr.mu.Unlock()
	ctr.log().WithField("pid", t.pid).Debug("task started")
	return t, nil
}

// claimStart marks the container as starting a task, after the checks
// moby makes, and returns its compute system.
func (ctr *Container) claimStart() (hcs.System, error) {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	switch {
	case ctr.ociSpec == nil:
		return nil, notImplemented(errors.New("a restored container cannot be started"))
	case ctr.task != nil || ctr.starting:
		// moby's error, wrapping containerd's sentinel.
		return nil, notModified(errSentinelAlreadyExists)
	case ctr.system == nil:
		return nil, ctr.errNotFound()
	}
	ctr.starting = true
	return ctr.system, nil
}

// Task returns the current task.
func (ctr *Container) Task(context.Context) (*Task, error) {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	if ctr.task == nil {
		return nil, notFound(errSentinelNotFound) // moby's error
	}
	return ctr.task, nil
}

// AttachTask is called by the engine only when it restores containers. HCS
// v1 cannot re-attach (see LoadContainer), so it answers not found, which
// lets the restore go on, as in moby.
// This is its error.
func (ctr *Container) AttachTask(context.Context) error {
	return notFound(errSentinelNotImplemented) // moby's error
}

// Delete shuts the compute system down, waiting up to the shutdown timeout,
// terminates it when that fails, and releases it. It is a conflict while
// the task runs.
func (ctr *Container) Delete(context.Context) error {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	if ctr.system == nil {
		return ctr.errNotFound()
	}
	if ctr.starting || (ctr.task != nil && !ctr.task.hasExited()) {
		return conflict(errors.New("container is not stopped"))
	}
	logger := ctr.log()
	var result error
	if err := ctr.shutdown(); err != nil {
		logger.WithError(err).Warn("failed to shutdown container")
		result = fmt.Errorf("failed to shutdown container: %w", err)
	} else {
		logger.Debug("completed container shutdown")
	}
	if err := ctr.system.Close(); err != nil {
		logger.WithError(err).Error("failed to clean hcs container resources")
		result = fmt.Errorf("failed to terminate container: %w", err)
	}
	ctr.system = nil
	return result
}

// shutdown stops the system gracefully, or waits for the termination a
// SIGKILL started, and terminates it when either fails. ctr.mu must be held.
func (ctr *Container) shutdown() error {
	hc, timeout := ctr.system, ctr.client.shutdownTimeout
	var err error
	if ctr.terminateInvoked {
		err = hc.WaitTimeout(timeout)
	} else {
		err = awaitStop(hc, hc.Shutdown(), timeout)
	}
	if err == nil {
		return nil
	}
	logger := ctr.log()
	logger.WithError(err).Debug("failed to shutdown container, terminating it")
	if terr := ctr.terminate(); terr != nil {
		logger.WithError(terr).Error("failed to shutdown container, and subsequent terminate also failed")
		return fmt.Errorf("%w: subsequent terminate failed %w", err, terr) // moby's text
	}
	return err
}

// terminate stops the system at once and waits up to the shutdown timeout
// for it. ctr.mu must be held.
func (ctr *Container) terminate() error {
	ctr.terminateInvoked = true
	err := awaitStop(ctr.system, ctr.system.Terminate(), ctr.client.shutdownTimeout)
	if err != nil {
		ctr.log().WithError(err).Debug("failed to terminate container")
	}
	return err
}

// awaitStop completes a Shutdown or Terminate that answered answer: HCS
// finishes a pending one asynchronously, so it waits up to timeout; a
// system already stopped is success.
func awaitStop(hc hcs.System, answer error, timeout time.Duration) error {
	switch {
	case errors.Is(answer, hcs.ErrPending):
		return hc.WaitTimeout(timeout)
	case errors.Is(answer, hcs.ErrAlreadyStopped):
		return nil
	}
	return answer
}

func (ctr *Container) errNotFound() error {
	return notFound(fmt.Errorf("container %q not found", ctr.id))
}
