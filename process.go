package local

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/log"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/types"
)

// process implements types.Process: an exec, or the init process of a task.
//
// Lock order: mu before ctr.mu.
type process struct {
	id  string     // Invariants: immutable
	ctr *container // Invariants: immutable, non-nil
	pid int        // Invariants: immutable

	mu sync.Mutex
	// hcsProcess is the handle on the process; nil once the reaper closed
	// it.
	hcsProcess hcs.Process

	// exited is valid once waitCh is closed, which orders its write by the
	// reaper before every read.
	exited *containerd.ExitStatus
	waitCh chan struct{}
}

var _ types.Process = (*process)(nil)

// setUp makes p the process hp, identified as id in ctr's events.
func (p *process) setUp(id string, ctr *container, hp hcs.Process) {
	p.id, p.ctr, p.pid, p.hcsProcess = id, ctr, hp.Pid(), hp
	p.waitCh = make(chan struct{})
}

// handle returns the process's handle, or a not-found error once the
// process was reaped.
func (p *process) handle() (hcs.Process, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hcsProcess == nil {
		return nil, p.errNotFound()
	}
	return p.hcsProcess, nil
}

func (p *process) errNotFound() error {
	return notFound(errors.New("process not found")) // moby's text
}

// reaped maps what HCS answers for a handle the reaper closed meanwhile to
// the not-found error the same call gets after the reaper finished.
func (p *process) reaped(err error) error {
	if errors.Is(err, hcs.ErrAlreadyClosed) {
		return p.errNotFound()
	}
	return err
}

func (p *process) hasExited() bool {
	select {
	case <-p.waitCh:
		return true
	default:
		return false
	}
}

// Pid is the process id, 0 once the process exited and was reaped.
func (p *process) Pid() uint32 {
	if _, err := p.handle(); err != nil {
		return 0
	}
	return uint32(p.pid)
}

// Kill terminates the process; Windows has no signals to send it.
func (p *process) Kill(_ context.Context, _ syscall.Signal) error {
	hp, err := p.handle()
	if err != nil {
		return err
	}
	return p.reaped(hp.Kill())
}

// Resize changes the size of the process's console.
func (p *process) Resize(_ context.Context, width, height uint32) error {
	hp, err := p.handle()
	if err != nil {
		return err
	}
	p.ctr.client.logger.WithFields(log.Fields{
		"container": p.ctr.id,
		"process":   p.id,
		"height":    height,
		"width":     width,
		"pid":       p.pid,
	}).Debug("resizing")
	return p.reaped(hp.ResizeConsole(uint16(width), uint16(height)))
}

// CloseStdin tells the process that no more input comes.
func (p *process) CloseStdin(context.Context) error {
	hp, err := p.handle()
	if err != nil {
		return err
	}
	return p.reaped(hp.CloseStdin())
}

// Delete returns the exit status of an exited process; it is a conflict
// while the process runs.
func (p *process) Delete(ctx context.Context) (*containerd.ExitStatus, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !p.hasExited() {
		return nil, conflict(errors.New("process is running"))
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
func (p *process) reap() {
	logger := p.ctr.client.logger.WithFields(log.Fields{"container": p.ctr.id, "process": p.id})
	hp := p.hcsProcess // set before reap starts, cleared only below

	if err := hp.Wait(); err != nil && !errors.Is(err, hcs.ErrBrokenPipe) {
		logger.WithError(err).Warn("Wait() failed (container may have been killed)")
	}
	exitedAt := time.Now()

	exitCode, err := hp.ExitCode()
	if err != nil {
		// Not a success, whatever the process did.
		exitCode = -1
		if !errors.Is(err, hcs.ErrBrokenPipe) {
			logger.WithError(err).Warn("unable to get exit code for process")
		}
	}

	p.mu.Lock()
	p.hcsProcess = nil
	p.mu.Unlock()
	var eventErr error
	if err := hp.Close(); err != nil {
		logger.WithError(err).Warn("failed to cleanup hcs process resources")
		exitCode = -1
		eventErr = fmt.Errorf("hcsProcess.Close() failed %w", err) // moby's text
	}

	p.exited = containerd.NewExitStatus(uint32(exitCode), exitedAt, nil)
	close(p.waitCh)
	p.ctr.client.emit(types.EventInfo{
		ContainerID: p.ctr.id,
		ProcessID:   p.id,
		Pid:         uint32(p.pid),
		ExitCode:    uint32(exitCode),
		ExitedAt:    exitedAt,
		Error:       eventErr,
	}, types.EventExit)
}
