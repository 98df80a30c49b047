// Package hcs is the seam between the portable backend and the Host Compute
// Service: the schema-v1 documents HCS takes and returns, the operations the
// backend needs of the machine (Host), of a compute system (System) and of a
// process in one (Process), and the classes of errors HCS answers with.
//
// The interfaces are a contract, written on each method: what it returns
// and when, with which error class, what is pending and how its completion
// is seen, what Close does to later calls. It is what hcsshim's legacy (v1)
// API does against the real HCS, to which the backend is bound on Windows;
// the in-memory host (package memhost) keeps it too, and hcstest.Run checks
// any implementation against it.
//
// Errors carry a class of this package where the contract names one: test
// with errors.Is (errors.Is(err, ErrPending)). An implementation may answer
// any other error for a failure the contract does not name; the backend
// passes it on as it is.
//
// Every method of every interface is safe for concurrent use, on one handle
// or on several handles of the same system or process; a call that blocks
// (Wait, a stop in progress) blocks no other call.
package hcs

import (
	"io"
	"time"
)

// Host is everything the backend asks of the machine. Nothing else in the
// backend looks at the OS for host facts.
type Host interface {
	// CreateSystem creates a compute system from config and returns a
	// handle on it, the system created but not started. It never answers
	// ErrPending: it returns once HCS finished creating. An id already in
	// use, or a document HCS refuses, is an error (of no class here).
	CreateSystem(id string, config *ContainerConfig) (System, error)
	// OpenSystem returns a new handle on the existing system id, created by
	// this process or another (a daemon before its restart), whatever its
	// state. It answers ErrNotExist when there is no such system: one
	// never created, or one that stopped and whose last handle (its own
	// or a process's) was closed, whose id CreateSystem takes again. Handles
	// are independent: closing one leaves the others and the system as
	// they are.
	OpenSystem(id string) (System, error)
	// NameToGuid returns the GUID HCS derives from a layer folder's name,
	// in canonical form (36 characters, lower-case hexadecimal, hyphens at
	// 8, 13, 18 and 23), the same for the same name every time.
	NameToGuid(name string) (string, error)
	// NumCPU is the number of processors the daemon may use, at least 1.
	NumCPU() int
	// PathExists tells whether a path exists on the host. An error means
	// the answer is unknown, not that the path is missing.
	PathExists(path string) (bool, error)
}

// System is a handle on a compute system: hcsshim's legacy Container. A
// system is created, then running (it may be paused and resumed when it is
// Hyper-V isolated), then stopped, for good.
type System interface {
	// Start starts a created system. It never answers ErrPending: it
	// returns once the system runs. A system that is not created (running,
	// or stopped: ErrAlreadyStopped) gives an error.
	Start() error
	// Shutdown asks the system to stop gracefully; its processes end,
	// usually with exit code 0xC000013A (STATUS_CONTROL_C_EXIT). It does
	// not wait: success is ErrPending, and Wait or WaitTimeout tells when
	// the system stopped. A system already stopped answers ErrPending or
	// ErrAlreadyStopped.
	Shutdown() error
	// Terminate stops the system at once, ending its processes. It answers
	// as Shutdown does.
	Terminate() error
	// Wait blocks until the system stopped, then answers nil, for every
	// caller and every later call. After Close it answers ErrAlreadyClosed
	// unless the stop was seen before the Close.
	Wait() error
	// WaitTimeout is Wait bounded by d: ErrTimeout when d passes first.
	WaitTimeout(d time.Duration) error
	// Pause suspends a running Hyper-V isolated system. It never answers
	// ErrPending. A process-isolated system, or one that does not run,
	// gives an error (ErrAlreadyStopped for a stopped one).
	Pause() error
	// Resume resumes a paused Hyper-V isolated system, as Pause answers.
	Resume() error
	// Statistics reports a started system's figures; a system not started
	// or stopped gives an error (ErrAlreadyStopped for a stopped one).
	Statistics() (Statistics, error)
	// ProcessList reports a started system's running processes, as
	// Statistics does.
	ProcessList() ([]ProcessListItem, error)
	// CreateProcess starts a process in a running system, with the pipes
	// config asks for, and returns a handle on it. It never answers
	// ErrPending. A system that does not run (created, paused, stopping,
	// stopped) gives an error; ErrAlreadyStopped or ErrInvalidState for a
	// stopped one.
	CreateProcess(config *ProcessConfig) (Process, error)
	// Close releases the handle; it neither stops the system nor waits.
	// Every later call on this handle but Close answers ErrAlreadyClosed
	// (Wait: see there); Close again answers nil.
	Close() error
}

// Process is a handle on a process in a compute system: hcsshim's legacy
// Process.
type Process interface {
	// Pid is the process id in its system. It asks nothing of HCS and
	// answers even after Close.
	Pid() int
	// Kill asks the process to terminate and does not wait (Wait tells
	// when it exited). A process that exited answers ErrAlreadyStopped.
	Kill() error
	// Wait blocks until the process exited, then answers nil, for every
	// caller and every later call. When its system went away HCS may
	// answer ErrBrokenPipe instead, which is an exit too. After Close it
	// answers ErrAlreadyClosed unless the exit was seen before the Close.
	Wait() error
	// WaitTimeout is Wait bounded by d: ErrTimeout when d passes first.
	WaitTimeout(d time.Duration) error
	// ExitCode is the exit code of a process that exited; before, an error.
	// A process its system's Shutdown ended usually has 0xC000013A.
	ExitCode() (int, error)
	// ResizeConsole sets the size of the console of a process created with
	// EmulateConsole; another process, or one that exited, gives an error.
	ResizeConsole(width, height uint16) error
	// Stdio returns the caller's ends of the pipes the process was created
	// with; a pipe the config did not ask for is nil. The backend calls it
	// once. Stdout and stderr reach EOF once the process exited and what it
	// wrote was read; the process's stdin ends when the caller closes its
	// end or calls CloseStdin.
	Stdio() (stdin io.WriteCloser, stdout, stderr io.ReadCloser, err error)
	// CloseStdin tells the process that no more input comes. While its
	// system shuts down or after it stopped, HCS answers ErrInvalidState.
	CloseStdin() error
	// Close releases the handle; it neither kills the process nor waits.
	// Every later call on this handle but Pid and Close answers
	// ErrAlreadyClosed (Wait: see there); Close again answers nil.
	Close() error
}
