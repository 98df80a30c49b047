package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/log"

	"github.com/libcontainerd-windows/local/hcs"
)

// Process is an exec, or the init process of a task: moby's libcontainerd
// Process. Its life: startProcess creates and sets it up, announce reports
// its start, reap waits for its exit in the background and reports it.
type Process struct {
	id  string     // Invariants: immutable
	ctr *Container // Invariants: immutable, non-nil
	pid int        // Invariants: immutable

	// mu guards hcsProcess; no other lock is taken while it is held.
	mu sync.Mutex
	// hcsProcess is the handle on the process; nil once the reaper closed
	// it.
	hcsProcess hcs.Process

	// exited is valid once waitCh is closed, which orders its write by the
	// reaper before every read. The reaper closes waitCh under the
	// container's mu, after queuing the exit event (Container.exited).
	exited Exit
	waitCh chan struct{}
}

// discard kills a process nobody will own and releases it once it exited,
// in the background: its caller does not wait for HCS.
func discard(ctx context.Context, logger *log.Entry, hp hcs.Process) {
	go func() {
		if err := hp.Kill(ctx); err != nil && !errors.Is(err, hcs.ErrAlreadyStopped) {
			logger.WithError(err).Error("failed to kill process")
		}
		if err := hp.Wait(ctx); err != nil {
			logger.WithError(err).Error("failed to wait for process")
		}
		if err := hp.Close(ctx); err != nil {
			logger.WithError(err).Error("failed to clean process resources")
		}
	}()
}

// announce reports the start of a process its caller recorded, with
// events; its caller then starts its reaper, whose exit event follows.
func (p *Process) announce(events ...EventType) {
	p.ctr.client.emit(EventInfo{ContainerID: p.ctr.id, ProcessID: p.id, Pid: uint32(p.pid)}, events...)
}

// log is the container's logger with the process's id, made when needed.
func (p *Process) log() *log.Entry { return p.ctr.log().WithField("process", p.id) }

// handle returns the process's handle, or a not-found error once the
// process was reaped.
func (p *Process) handle() (hcs.Process, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hcsProcess == nil {
		return nil, p.errNotFound()
	}
	return p.hcsProcess, nil
}

// answer is Container.answer for a process: the not-found error once the
// reaper closed the handle.
func (p *Process) answer(hp hcs.Process, err error) error {
	if err == nil {
		return nil
	}
	if endedContext(err) {
		return fromContext(err)
	}
	p.mu.Lock()
	reaped := p.hcsProcess != hp
	p.mu.Unlock()
	if reaped || errors.Is(err, hcs.ErrAlreadyClosed) {
		return p.errNotFound()
	}
	return err
}

func (p *Process) errNotFound() error {
	return notFound(errors.New("process not found")) // moby's text
}

func (p *Process) hasExited() bool {
	select {
	case <-p.waitCh:
		return true
	default:
		return false
	}
}

// Pid is the process id, 0 once the process exited and was reaped.
func (p *Process) Pid() uint32 {
	if _, err := p.handle(); err != nil {
		return 0
	}
	return uint32(p.pid)
}

// Kill terminates the process; Windows has no signals to send it.
func (p *Process) Kill(ctx context.Context, _ syscall.Signal) error {
	hp, err := p.handle()
	if err != nil {
		return err
	}
	return p.answer(hp, hp.Kill(orBackground(ctx)))
}

// Resize changes the size of the process's console.
func (p *Process) Resize(ctx context.Context, width, height uint32) error {
	hp, err := p.handle()
	if err != nil {
		return err
	}
	p.log().WithFields(log.Fields{
		"height": height,
		"width":  width,
		"pid":    p.pid,
	}).Debug("resizing")
	return p.answer(hp, hp.ResizeConsole(orBackground(ctx), uint16(width), uint16(height)))
}

// CloseStdin tells the process that no more input comes.
func (p *Process) CloseStdin(ctx context.Context) error {
	hp, err := p.handle()
	if err != nil {
		return err
	}
	return p.answer(hp, hp.CloseStdin(orBackground(ctx)))
}

// Delete returns the exit of an exited process; it is a conflict while the
// process runs. It looks under the container's state lock, as the reaper
// records the exit, so that an engine that deletes the process when it
// handles its exit event finds it exited.
func (p *Process) Delete(ctx context.Context) (Exit, error) {
	if err := orBackground(ctx).Err(); err != nil {
		return Exit{}, fromContext(err)
	}
	p.ctr.mu.Lock()
	defer p.ctr.mu.Unlock()
	if !p.hasExited() {
		return Exit{}, conflict(errors.New("process is running"))
	}
	return p.exited, nil
}

// reap waits for the process to exit, releases it and reports its exit:
// exactly one exit event per started process, whatever HCS answers. What
// it reports is moby's: a failed Wait or ExitCode is only logged (a broken
// pipe, HCS's answer for a process whose system went away, not even that);
// a failed ExitCode or Close makes the exit code -1; the event's Error is
// set only when Close fails, and the exit status never has an error, since
// engines show an event's error to users as the container's.
func (p *Process) reap() {
	hp := p.hcsProcess // set before reap starts, cleared only below
	// The reaper waits for HCS however long it takes: the exit it reports
	// is the one thing it is for. Its Close does not wait for calls in
	// flight on the handle (see hcs.Process.Close).
	ctx := context.Background()

	if err := hp.Wait(ctx); err != nil && !errors.Is(err, hcs.ErrBrokenPipe) {
		p.log().WithError(err).Warn("Wait() failed (container may have been killed)")
	}
	exitedAt := time.Now()

	exitCode, err := hp.ExitCode(ctx)
	if err != nil {
		// Not a success, whatever the process did.
		exitCode = -1
		if !errors.Is(err, hcs.ErrBrokenPipe) {
			p.log().WithError(err).Warn("unable to get exit code for process")
		}
	}

	p.mu.Lock()
	p.hcsProcess = nil
	p.mu.Unlock()
	var eventErr error
	if err := hp.Close(ctx); err != nil {
		p.log().WithError(err).Warn("failed to cleanup hcs process resources")
		exitCode = -1
		eventErr = fmt.Errorf("hcsProcess.Close() failed %w", err) // moby's text
	}

	p.ctr.exited(p, Exit{Code: uint32(exitCode), Time: exitedAt}, EventInfo{
		ContainerID: p.ctr.id,
		ProcessID:   p.id,
		Pid:         uint32(p.pid),
		ExitCode:    uint32(exitCode),
		ExitedAt:    exitedAt,
		Error:       eventErr,
	})
}
