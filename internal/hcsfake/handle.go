package hcsfake

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// enter is the start of every call of the host: it counts the call, takes
// the fault that matches it and waits as the fault says. It returns the
// fault, for the call's answer (Fault.after), and the error the call
// answers instead of doing its work.
func (h *Host) enter(op Op, id string, pid int) (*Fault, error) {
	h.mu.Lock()
	h.count(op)
	f := h.take(op, id, pid)
	h.mu.Unlock()
	if op == OpProcessStdio {
		// It asks nothing of HCS (the hcs contract): it answers at once,
		// whatever the fault's Delay and Hang say.
		return f, f.failure()
	}
	return f, f.before()
}

// enterOpening is enter for a call that returns a handle: one that answers
// pending gives none and does nothing.
func (h *Host) enterOpening(op Op, id string) (*Fault, error) {
	f, err := h.enter(op, id, 0)
	if err == nil && f != nil && f.Pending {
		err = errPending
	}
	return f, err
}

// owner is what a handle is on: a system or a process. Its methods are
// called with host.mu held.
type owner interface {
	// ended reports a system stopped, a process exited.
	ended() bool
	// ending is closed when the system stops, or the process exits.
	ending() <-chan struct{}
	// released is told that one of its handles was closed.
	released()
}

// handle is what a handle on a system and one on a process share, as
// hcsshim's legacy API has them: the calls through it, its lock and its
// Close.
type handle struct {
	host *Host  // Invariants: immutable
	id   string // the system's id; Invariants: immutable
	pid  int    // the process's id, 0 on a system; Invariants: immutable
	// inFlight is held shared by every call but Wait for its whole length
	// and exclusively by Close, as hcsshim's handle lock is: Close waits
	// for the calls in flight, and calls made meanwhile wait for it.
	inFlight sync.RWMutex
	closed   bool // guarded by host.mu
	// endSeen records that the system had stopped, or the process exited,
	// when the handle was closed: Wait keeps answering that end, as
	// hcsshim's does.
	endSeen bool // guarded by host.mu
}

// hold marks a call in flight until the function it returns is called.
func (hd *handle) hold() (release func()) {
	hd.inFlight.RLock()
	return hd.inFlight.RUnlock
}

// call is enter for a call through the handle, which it then checks: on
// success host.mu is held and the caller must release it.
func (hd *handle) call(op Op) (*Fault, error) {
	f, err := hd.host.enter(op, hd.id, hd.pid)
	if err != nil {
		return nil, err
	}
	hd.host.mu.Lock()
	waits := op == OpWait || op == OpWaitTimeout || op == OpProcessWait || op == OpProcessWaitTimeout
	if hd.closed && !(hd.endSeen && waits) {
		hd.host.mu.Unlock()
		return nil, hd.fail(op, errAlreadyClosed)
	}
	return f, nil
}

// locked is a call through the handle but Wait and Close: it marks the call
// in flight, makes it (call) and, unless that fails, runs body with f, the
// call's fault, and host.mu held.
func (hd *handle) locked(op Op, body func(f *Fault) error) error {
	defer hd.hold()()
	f, err := hd.call(op)
	if err != nil {
		return err
	}
	defer hd.host.mu.Unlock()
	return body(f)
}

// close is the Close of a handle on o, once the calls in flight on it
// returned. Closing twice is not an error, as in hcsshim.
func (hd *handle) close(op Op, o owner) error {
	hd.inFlight.Lock()
	defer hd.inFlight.Unlock()
	h := hd.host
	f, err := h.enter(op, hd.id, hd.pid)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !hd.closed {
		hd.closed = true
		hd.endSeen = o.ended()
		o.released()
		h.handles--
		h.changed.Broadcast()
	}
	return f.after(nil)
}

// forever is the d of a Wait, which no timer outlasts (292 years).
const forever = time.Duration(math.MaxInt64)

// wait is a Wait (d forever) or a WaitTimeout through the handle: it
// returns once o ended, or fails with a timeout once d passed.
func (hd *handle) wait(op Op, o owner, d time.Duration) error {
	f, err := hd.call(op)
	if err != nil {
		return err
	}
	ending := o.ending()
	hd.host.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ending:
		return f.after(nil)
	case <-timer.C:
		return hd.fail(op, errTimeout)
	}
}

// fail is the error of op through the handle, of class.
func (hd *handle) fail(op Op, class error) error {
	if hd.pid == 0 {
		return fmt.Errorf("%s %s: %w", strings.ToLower(string(op)), hd.id, class)
	}
	return fmt.Errorf("%s %s pid %d: %w", strings.ToLower(string(op)), hd.id, hd.pid, class)
}
