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

	// busy is held by the calls that change the container's state through
	// HCS (Pause, Resume, Delete) and by NewTask's claim, so that they
	// happen one at a time as moby's container lock makes them; waiting
	// for it honours the caller's context. Lock order: busy before mu.
	busy chan struct{}

	// system is the handle on the compute system, released by Delete.
	// Invariants: immutable.
	system hcs.System

	// mu guards state. It is never held across a call to HCS nor while
	// the engine's attachStdio runs.
	mu sync.Mutex
	// state is the container's life: its phase, its task, and whether it
	// is being terminated (state.go). Only transition changes it.
	state state
}

func (c *Client) newContainer(id string, spec *specs.Spec, hc hcs.System) *Container {
	return &Container{client: c, id: id, ociSpec: spec, system: hc, busy: make(chan struct{}, 1)}
}

// lock takes ctr.busy, or returns ctx's error when ctx ends first. A
// caller whose context ended before it got the lock gets that error too,
// and so does not act: select takes either of two ready cases.
func (ctr *Container) lock(ctx context.Context) error {
	select {
	case ctr.busy <- struct{}{}:
	case <-ctx.Done():
		return fromContext(ctx.Err())
	}
	if err := ctx.Err(); err != nil {
		ctr.unlock()
		return fromContext(err)
	}
	return nil
}

func (ctr *Container) unlock() { <-ctr.busy }

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
// the engine's attachStdio runs; the starting phase keeps other calls out
// meanwhile.
func (ctr *Container) NewTask(ctx context.Context, attachStdio Attach) (*Task, error) {
	ctx = orBackground(ctx)
	hc, err := ctr.claimStart(ctx)
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		// On a failure and on a panic alike, the claim ends.
		if !started {
			_ = ctr.transition(startFailed, nil)
		}
	}()

	t := &Task{}
	if err := ctr.startProcess(ctx, &t.Process, ctr.id, hc, taskProcessConfig(ctr.ociSpec.Process), attachStdio); err != nil {
		return nil, err
	}
	_ = ctr.transition(taskStarted, t)
	started = true
	go t.reap()
	ctr.log().WithField("pid", t.pid).Debug("task started")
	return t, nil
}

// claimStart marks the container as starting a task, after the checks
// moby makes, and returns its compute system. It waits for a Pause, Resume
// or Delete in progress, as moby's NewTask does.
func (ctr *Container) claimStart(ctx context.Context) (hcs.System, error) {
	if err := ctr.lock(ctx); err != nil {
		return nil, err
	}
	defer ctr.unlock()
	if ctr.ociSpec == nil {
		return nil, notImplemented(errors.New("a restored container cannot be started"))
	}
	if err := ctr.transition(startClaimed, nil); err != nil {
		return nil, err
	}
	return ctr.system, nil
}

// startProcess creates a process in hc from config, hands its stdio to the
// engine's attachStdio and sets p up as that process, named id in events.
// When a step after the creation fails, or attachStdio panics, the process
// is killed and released in the background and p is left as it was; the
// error is returned or the panic goes on.
func (ctr *Container) startProcess(ctx context.Context, p *Process, id string, hc hcs.System, config *hcs.ProcessConfig, attachStdio Attach) error {
	logger := ctr.log().WithField("process", id)
	if attachStdio == nil {
		return invalidParameter(fmt.Errorf("container %s: the attachStdio callback of process %s must not be nil", ctr.id, id))
	}
	hp, err := hc.CreateProcess(ctx, config)
	if err != nil {
		logger.WithError(err).Error("CreateProcess() failed")
		return ctr.answer(err)
	}
	attached := false
	defer func() {
		if !attached {
			discard(context.WithoutCancel(ctx), logger, hp)
		}
	}()
	stdio, err := stdioOf(hp, config.EmulateConsole)
	if err != nil {
		logger.WithError(err).Error("failed to get stdio pipes")
		return err
	}
	if err := attachStdio(stdio); err != nil {
		logger.WithError(err).Error("failed to attach stdio")
		return err
	}
	attached = true
	p.id, p.ctr, p.pid, p.hcsProcess = id, ctr, hp.Pid(), hp
	p.waitCh = make(chan struct{})
	return nil
}

// Task returns the current task.
func (ctr *Container) Task(context.Context) (*Task, error) {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	if ctr.state.task == nil {
		return nil, notFound(errSentinelNotFound) // moby's error
	}
	return ctr.state.task, nil
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
// the task runs. When ctx ends first it returns ctx's error and the
// container stays as it was, to be deleted again; once the handle's Close
// was asked for, the container is gone whatever Close answers.
func (ctr *Container) Delete(ctx context.Context) error {
	ctx = orBackground(ctx)
	if err := ctr.lock(ctx); err != nil {
		return err
	}
	defer ctr.unlock()
	terminating, err := ctr.deletable()
	if err != nil {
		return err
	}
	hc := ctr.system
	logger := ctr.log()
	var result error
	err = ctr.shutdown(ctx, hc, terminating)
	if errors.Is(err, hcs.ErrAlreadyClosed) {
		err = ctr.shutdownReopened(ctx)
	}
	if err != nil {
		if endedContext(err) {
			return fromContext(err)
		}
		logger.WithError(err).Warn("failed to shutdown container")
		result = fmt.Errorf("failed to shutdown container: %w", err)
	} else {
		logger.Debug("completed container shutdown")
	}
	_ = ctr.transition(containerDeleted, nil)
	if err := hc.Close(ctx); err != nil {
		logger.WithError(err).Error("failed to clean hcs container resources")
		result = fmt.Errorf("failed to terminate container: %w", err)
	}
	return fromContext(result)
}

// shutdown stops hc gracefully, or waits for the termination a SIGKILL
// started, and terminates it when either fails. ctr.busy must be held.
func (ctr *Container) shutdown(ctx context.Context, hc hcs.System, terminating bool) error {
	timeout := ctr.client.shutdownTimeout
	var err error
	if terminating {
		err = hc.WaitTimeout(ctx, timeout)
	} else {
		err = awaitStop(ctx, hc, hc.Shutdown(ctx), timeout)
	}
	if err == nil || endedContext(err) {
		return err
	}
	logger := ctr.log()
	logger.WithError(err).Debug("failed to shutdown container, terminating it")
	if terr := ctr.terminate(ctx, hc); terr != nil {
		if endedContext(terr) {
			return terr
		}
		logger.WithError(terr).Error("failed to shutdown container, and subsequent terminate also failed")
		return fmt.Errorf("%w: subsequent terminate failed %w", err, terr) // moby's text
	}
	return err
}

// shutdownReopened is shutdown through a handle of its own, for a system
// whose handle hcsshim closed: when its Kill of a process cannot open a
// second handle on the system, it terminates the system and closes the
// handle the process came from, ours (hcsshim's internal/hcs/process.go).
// A system that went away meanwhile is stopped.
func (ctr *Container) shutdownReopened(ctx context.Context) error {
	hc, err := ctr.client.host.OpenSystem(ctx, ctr.id)
	if errors.Is(err, hcs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() {
		if err := hc.Close(ctx); err != nil {
			ctr.log().WithError(err).Warn("failed to close the container's second handle")
		}
	}()
	return ctr.shutdown(ctx, hc, false)
}

// terminate stops hc at once and waits up to the shutdown timeout for it.
func (ctr *Container) terminate(ctx context.Context, hc hcs.System) error {
	err := awaitStop(ctx, hc, ctr.askTerminate(ctx, hc), ctr.client.shutdownTimeout)
	if err != nil {
		ctr.log().WithError(err).Debug("failed to terminate container")
	}
	return err
}

// askTerminate asks HCS to terminate hc and returns its answer. A
// termination HCS took on (pending, or done) is recorded, so that Delete
// waits for it rather than asking for a shutdown; one HCS was not asked
// for (the caller's context ended first), answered late or refused is not,
// since Delete would wait the whole shutdown timeout for a stop nobody
// started. A termination HCS took on without our knowing leaves Delete's
// shutdown to answer pending, which waits as well.
func (ctr *Container) askTerminate(ctx context.Context, hc hcs.System) error {
	err := hc.Terminate(ctx)
	if err == nil || errors.Is(err, hcs.ErrPending) {
		_ = ctr.transition(terminateAsked, nil)
	}
	return err
}

// awaitStop completes a Shutdown or Terminate that answered answer: HCS
// finishes a pending one asynchronously, so it waits up to timeout; a
// system already stopped is success.
func awaitStop(ctx context.Context, hc hcs.System, answer error, timeout time.Duration) error {
	switch {
	case errors.Is(answer, hcs.ErrPending):
		return hc.WaitTimeout(ctx, timeout)
	case errors.Is(answer, hcs.ErrAlreadyStopped):
		return nil
	}
	return answer
}

// answer is what a call returns for err, HCS's answer to a call through
// the container's system: the context's end, or, when the container was
// deleted meanwhile (HCS answers that the handle was closed, or what it
// answers for a stopped system), the not-found error the same call gets
// after Delete, never HCS's raw answer.
func (ctr *Container) answer(err error) error {
	if err == nil {
		return nil
	}
	if endedContext(err) {
		return fromContext(err)
	}
	if ctr.is(deleted) || errors.Is(err, hcs.ErrAlreadyClosed) {
		return ctr.errNotFound()
	}
	return err
}

func (ctr *Container) errNotFound() error {
	return notFound(fmt.Errorf("container %q not found", ctr.id))
}
