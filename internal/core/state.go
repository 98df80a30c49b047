package core

import (
	"errors"
	"fmt"

	"github.com/libcontainerd-windows/local/hcs"
)

// phase is where a container is in its life. Its moves, each one change
// given to Container.transition:
//
//	created ─startClaimed→ starting ─taskStarted→ running ⇄ paused (taskPaused, taskResumed)
//	starting ─startFailed→ created
//	running, paused ─taskDeleted→ created
//	created, running, paused ─containerDeleted→ deleted
//
// Delete leaves running and paused only once the task exited, and no call
// leaves deleted.
type phase uint8

const (
	created  phase = iota // the system runs; no task
	starting              // NewTask is starting the task
	running               // the task was started (it may have exited since)
	paused                // the task was paused
	deleted               // Delete released the system
)

// change is what happened to a container, for Container.transition.
type change uint8

const (
	startClaimed     change = iota // NewTask begins
	startFailed                    // NewTask failed after its claim
	taskStarted                    // NewTask started its task
	taskPaused                     // HCS paused the system
	taskResumed                    // HCS resumed the system
	terminateAsked                 // HCS took on a Terminate
	taskDeleted                    // Task.Delete removed the exited task
	containerDeleted               // Delete released the system
)

// state is a container's state, changed only by Container.transition.
type state struct {
	phase phase
	// task is the current task: set from its start until its Delete,
	// which may come after the container's, as in moby.
	task *Task
	// terminating records a Terminate HCS took on (a SIGKILL, or Delete
	// after a failed shutdown): the system is already stopping, so Delete
	// waits for it rather than asking for a shutdown.
	terminating bool
}

// transition moves ctr's state for c and reports what the engine is told
// of it (the task's start, a pause, a resume) under the same lock, so that
// no event of what the move allows comes before the move's own. When c
// cannot happen now it changes nothing and returns moby's error for the
// call. t is the task that c is about, for the task's changes.
func (ctr *Container) transition(c change, t *Task) error {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	s := &ctr.state
	switch c {
	case startClaimed:
		switch {
		case s.task != nil || s.phase == starting:
			return notModified(errSentinelAlreadyExists) // moby's error
		case s.phase == deleted:
			return ctr.errNotFound()
		}
		s.phase = starting
	case startFailed:
		s.phase = created
	case taskStarted:
		s.phase, s.task = running, t
		t.announce(EventStart)
	case taskPaused:
		// A pause HCS finished after the task's Delete moves nothing, but
		// it happened, and is reported.
		if s.phase == running {
			s.phase = paused
		}
		ctr.client.emit(EventInfo{ContainerID: ctr.id, ProcessID: t.id}, EventPaused)
	case taskResumed:
		if s.phase == paused {
			s.phase = running
		}
		ctr.client.emit(EventInfo{ContainerID: ctr.id, ProcessID: t.id}, EventResumed)
	case terminateAsked:
		s.terminating = true
	case taskDeleted:
		switch {
		case !t.hasExited():
			return conflict(errors.New("container is not stopped"))
		case s.task != t:
			return notFound(fmt.Errorf("task %q not found", t.id))
		}
		s.task = nil
		if s.phase != deleted {
			s.phase = created
		}
	case containerDeleted:
		s.phase = deleted
	}
	return nil
}

// exited records that p exited with exit and queues its exit event, ei,
// under the state lock, where every call the exit allows looks first
// (Status, the Deletes, and through Task.Delete the next NewTask): none of
// them answers as if p had exited before its exit event is on the queue.
// So a task's exit comes before the next task's start, which carries the
// same ProcessID, and an engine that asks the task's Status when it
// handles the exit (moby from v29.2, which drops the exit of a task
// still running) finds it stopped. waitCh closes after the event is
// queued, for those who wait without the lock.
func (ctr *Container) exited(p *Process, exit Exit, ei EventInfo) {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	p.exited = exit
	ctr.client.emit(ei, EventExit)
	close(p.waitCh)
}

// systemOf returns the compute system of t while t is the current task of
// a container not deleted, and moby's error otherwise.
func (ctr *Container) systemOf(t *Task) (hcs.System, error) {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	switch {
	case ctr.state.task != t:
		return nil, notFound(fmt.Errorf("task %q not found", t.id))
	case ctr.state.phase == deleted:
		return nil, ctr.errNotFound()
	}
	return ctr.system, nil
}

// deletable returns whether a Terminate was asked, or moby's error for a
// Delete now: the container is gone, or its task is starting or runs.
func (ctr *Container) deletable() (terminating bool, err error) {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	s := ctr.state
	switch {
	case s.phase == deleted:
		return false, ctr.errNotFound()
	case s.phase == starting || (s.task != nil && !s.task.hasExited()):
		return false, conflict(errors.New("container is not stopped"))
	}
	return s.terminating, nil
}

// is reports whether ctr is in phase p.
func (ctr *Container) is(p phase) bool {
	ctr.mu.Lock()
	defer ctr.mu.Unlock()
	return ctr.state.phase == p
}
