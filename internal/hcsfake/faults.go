package hcsfake

import (
	"time"
)

// Op names an operation of the seam that a Fault can target.
type Op string

// The operations of the host, of a compute system and of a process.
const (
	OpCreateSystem Op = "CreateSystem"
	OpOpenSystem   Op = "OpenSystem"
	OpNameToGuid   Op = "NameToGuid"
	OpPathExists   Op = "PathExists"

	OpStart         Op = "Start"
	OpShutdown      Op = "Shutdown"
	OpTerminate     Op = "Terminate"
	OpWait          Op = "Wait"
	OpWaitTimeout   Op = "WaitTimeout"
	OpPause         Op = "Pause"
	OpResume        Op = "Resume"
	OpStatistics    Op = "Statistics"
	OpProcessList   Op = "ProcessList"
	OpCreateProcess Op = "CreateProcess"
	OpClose         Op = "Close"

	OpProcessKill        Op = "Process.Kill"
	OpProcessWait        Op = "Process.Wait"
	OpProcessWaitTimeout Op = "Process.WaitTimeout"
	OpProcessExitCode    Op = "Process.ExitCode"
	OpProcessResize      Op = "Process.ResizeConsole"
	OpProcessStdio       Op = "Process.Stdio"
	OpProcessCloseStdin  Op = "Process.CloseStdin"
	OpProcessClose       Op = "Process.Close"
)

// Fault changes what the calls it matches do. When a call matches, it
// first sleeps Delay, then blocks until Hang is closed (when set); then, if
// Err is set, it returns Err without doing anything (with Late, after doing
// its work); otherwise it does its work and, with Pending, answers
// hcs.ErrPending, as HCS does for work it finishes in the background. A
// call that returns a handle and fails late gives none: what it made is
// released as hcsshim releases it when HCS fails after doing the work (a
// system created is terminated and closed, a process created is killed
// and closed, a handle opened is closed), so that nothing is left that
// nobody holds.
//
// Process.Stdio asks nothing of HCS (see hcs.Process) and answers at once:
// Delay and Hang do not apply to it. Package memhost makes it public.
type Fault struct {
	// Op is the operation the fault applies to.
	Op Op
	// ID limits the fault to one compute system; "" matches every one. For
	// the host's operations it is the system's id (CreateSystem,
	// OpenSystem), the layer's name (NameToGuid) or the path (PathExists).
	ID string
	// Pid limits a process's fault to one process; 0 matches every one.
	Pid int

	// Err is the answer: a class of package hcs (hcs.ErrInvalidState,
	// hcs.ErrPending for "accepted" but never done, ...) or any other
	// error, which the backend then sees as HCS's unclassified failure.
	Err error
	// Late makes the call do its work before it fails with Err: a Wait
	// that waited and then failed.
	Late bool
	// Pending makes the call answer hcs.ErrPending after doing its work.
	// For the calls that return a handle (CreateSystem, OpenSystem,
	// CreateProcess) it means Err: pending, nothing done, no handle.
	Pending bool
	// Delay is how long the call sleeps first.
	Delay time.Duration
	// Hang, when set, blocks the call until it is closed: an HCS that does
	// not answer, for as long as the test wants.
	Hang <-chan struct{}

	// Times is how many calls the fault applies to; 0 means every call.
	Times int
}

// armedFault is an injected fault and its place in the order of injection.
type armedFault struct {
	*Fault
	seq uint64
}

// Inject arms f. Faults are tried in the order they were injected; the
// first that matches applies, and one whose Times ran out is dropped.
func (h *Host) Inject(f Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faultSeq++
	h.faults[f.ID] = append(h.faults[f.ID], armedFault{&f, h.faultSeq})
}

// ClearFaultsOf disarms the faults that target system id.
func (h *Host) ClearFaultsOf(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.faults, id)
}

// ClearFaults disarms every fault.
func (h *Host) ClearFaults() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.faults)
}

// count records a call of op, for Calls and AwaitCalls. h.mu must be held.
func (h *Host) count(op Op) {
	h.calls[op]++
	h.changed.Broadcast()
}

// take returns the first armed fault that matches a call, using up one of
// its times, and counts the call as refused when the fault fails it
// before its work. Faults are kept by the id they target, so that a call
// looks only at its own and at those for every id. h.mu must be held.
func (h *Host) take(op Op, id string, pid int) *Fault {
	key, i := "", -1
	for _, k := range []string{id, ""} {
		for j, f := range h.faults[k] {
			if f.Op == op && (f.Pid == 0 || f.Pid == pid) {
				if i < 0 || f.seq < h.faults[key][i].seq {
					key, i = k, j
				}
				break
			}
		}
		if id == "" {
			break
		}
	}
	if i < 0 {
		return nil
	}
	f := h.faults[key][i]
	if f.Err != nil && !f.Late {
		h.refused[op]++
	}
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			list := h.faults[key]
			h.faults[key] = append(list[:i:i], list[i+1:]...)
			if len(h.faults[key]) == 0 {
				delete(h.faults, key)
			}
		}
	}
	return f.Fault
}

// before applies the waiting part of a fault; it is called without h.mu. It
// reports the error to return instead of doing the work, if any.
func (f *Fault) before() error {
	if f == nil {
		return nil
	}
	if f.Delay > 0 {
		time.Sleep(f.Delay)
	}
	if f.Hang != nil {
		<-f.Hang
	}
	return f.failure()
}

// failure is the error f makes its call return instead of doing its work:
// Err, unless the call is to do its work first (Late).
func (f *Fault) failure() error {
	if f == nil || f.Late {
		return nil
	}
	return f.Err
}

// after is the answer of a call that did its work, which HCS answers with
// ok (nil, or pending for a stop): the fault's late error instead, or
// pending, when the fault says so.
func (f *Fault) after(ok error) error {
	switch {
	case f.failsLate():
		return f.Err
	case f != nil && f.Pending:
		return errPending
	}
	return ok
}

// failsLate reports whether f makes its call fail after doing its work.
func (f *Fault) failsLate() bool { return f != nil && f.Late && f.Err != nil }

// Refused reports how many calls of op a fault made fail without doing
// their work (a Close that did not close, say).
func (h *Host) Refused(op Op) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.refused[op]
}

// Calls reports how many times op was called on this host, faults or not.
func (h *Host) Calls(op Op) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[op]
}

// AwaitCalls blocks until op was called at least n times, counting a call
// as soon as it starts, before any fault's delay or hang: a test can hold a
// call inside the host with Fault.Hang and act while it is there.
func (h *Host) AwaitCalls(op Op, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.calls[op] < n {
		h.changed.Wait()
	}
}
