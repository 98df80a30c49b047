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
// (Wait, a stop in progress, a call HCS does not answer) blocks no other
// call, Close included.
//
// Contexts: every method that asks HCS something takes a context, which
// must not be nil. A context that cannot end (context.Background()) changes
// nothing: the call returns when HCS answers, however long that takes. When
// the context ends first, the call returns an error for which errors.Is
// finds the context's error (context.Canceled or
// context.DeadlineExceeded), and HCS's late answer is handled without the
// caller: the operation, once issued, is not undone, a handle HCS returns
// late is released (a system or process nobody holds is first terminated or
// killed), and a late error is logged with the context's logger
// (github.com/containerd/log). A context that already ended when the call
// is made issues nothing, but for Close, which always releases the handle.
package hcs

import (
	"context"
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
	//
	// HCS holds a stopped system's id until its last handle is released,
	// and this host may release a closed handle after its Close returned
	// (see System.Close). CreateSystem of an id waits until every handle
	// on a system of that id that was closed through this host is
	// released, or ctx ends: once the last handle of a stopped system was
	// closed, its id is free for CreateSystem, as when the release comes at
	// once.
	CreateSystem(ctx context.Context, id string, config *ContainerConfig) (System, error)
	// OpenSystem returns a new handle on the existing system id, created by
	// this process or another (a daemon before its restart), whatever its
	// state. It answers ErrNotExist when there is no such system: one
	// never created, or one that stopped and whose last handle (its own
	// or a process's) was closed, whose id CreateSystem takes again. Handles
	// are independent: closing one leaves the others and the system as
	// they are. Like CreateSystem, it first waits for the release of the
	// handles on id closed through this host.
	OpenSystem(ctx context.Context, id string) (System, error)
	// NameToGuid returns the GUID HCS derives from a layer folder's name,
	// in canonical form (36 characters, lower-case hexadecimal, hyphens at
	// 8, 13, 18 and 23), the same for the same name every time.
	NameToGuid(ctx context.Context, name string) (string, error)
	// NumCPU is the number of processors the daemon may use, at least 1.
	NumCPU() int
	// PathExists tells whether a path exists on the host. An error means
	// the answer is unknown, not that the path is missing.
	PathExists(ctx context.Context, path string) (bool, error)
}

// System is a handle on a compute system: hcsshim's legacy Container. A
// system is created, then running (it may be paused and resumed when it is
// Hyper-V isolated), then stopped, for good.
type System interface {
	// Start starts a created system. It never answers ErrPending: it
	// returns once the system runs. A system that is not created (running,
	// or stopped: ErrAlreadyStopped) gives an error.
	Start(ctx context.Context) error
	// Shutdown asks the system to stop gracefully; its processes end,
	// usually with exit code 0xC000013A (STATUS_CONTROL_C_EXIT). It does
	// not wait: success is ErrPending, and Wait or WaitTimeout tells when
	// the system stopped. A system already stopped answers ErrPending or
	// ErrAlreadyStopped.
	Shutdown(ctx context.Context) error
	// Terminate stops the system at once, ending its processes, with the
	// exit code a shutdown gives them. It answers as Shutdown does.
	Terminate(ctx context.Context) error
	// Wait blocks until the system stopped, then answers nil, for every
	// caller and every later call. After Close it answers ErrAlreadyClosed
	// unless the stop was seen before the Close.
	Wait(ctx context.Context) error
	// WaitTimeout is Wait bounded by d: ErrTimeout when d passes first.
	WaitTimeout(ctx context.Context, d time.Duration) error
	// Pause suspends a running Hyper-V isolated system. It never answers
	// ErrPending. A process-isolated system, or one that does not run,
	// gives an error (ErrAlreadyStopped for a stopped one).
	Pause(ctx context.Context) error
	// Resume resumes a paused Hyper-V isolated system, as Pause answers.
	Resume(ctx context.Context) error
	// Statistics reports a started system's figures; a system not started
	// or stopped gives an error (ErrAlreadyStopped for a stopped one).
	Statistics(ctx context.Context) (Statistics, error)
	// ProcessList reports a started system's running processes, as
	// Statistics does.
	ProcessList(ctx context.Context) ([]ProcessListItem, error)
	// CreateProcess starts a process in a running system, with the pipes
	// config asks for, and returns a handle on it. It never answers
	// ErrPending. A system that does not run (created, paused, stopping,
	// stopped) gives an error; ErrAlreadyStopped or ErrInvalidState for a
	// stopped one.
	CreateProcess(ctx context.Context, config *ProcessConfig) (Process, error)
	// Close releases the handle; it neither stops the system nor waits,
	// not even for calls in flight on the handle: those return as they
	// would have, and the handle is released once the last of them
	// returned. Every later call on this handle but Close answers
	// ErrAlreadyClosed (Wait: see there); Close again answers nil.
	Close(ctx context.Context) error
}

// Process is a handle on a process in a compute system: hcsshim's legacy
// Process.
type Process interface {
	// Pid is the process id in its system. It asks nothing of HCS and
	// answers even after Close.
	Pid() int
	// Kill asks the process to terminate and does not wait (Wait tells
	// when it exited). A process that exited answers ErrAlreadyStopped.
	Kill(ctx context.Context) error
	// Wait blocks until the process exited, then answers nil, for every
	// caller and every later call. When its system went away HCS may
	// answer ErrBrokenPipe instead, which is an exit too. After Close it
	// answers ErrAlreadyClosed unless the exit was seen before the Close.
	Wait(ctx context.Context) error
	// WaitTimeout is Wait bounded by d: ErrTimeout when d passes first.
	WaitTimeout(ctx context.Context, d time.Duration) error
	// ExitCode is the exit code of a process that exited; before, an error.
	// A process its system's Shutdown ended usually has 0xC000013A.
	ExitCode(ctx context.Context) (int, error)
	// ResizeConsole sets the size of the console of a process created with
	// EmulateConsole; another process, or one that exited, gives an error.
	ResizeConsole(ctx context.Context, width, height uint16) error
	// Stdio returns the caller's ends of the pipes the process was created
	// with; a pipe the config did not ask for is nil. It asks nothing of
	// HCS, and so takes no context: it answers at once, whatever HCS does
	// with other calls. The backend calls it once. Stdout and stderr reach
	// EOF once the process exited and what it wrote was read; the
	// process's stdin ends when the caller closes its end or calls
	// CloseStdin.
	Stdio() (stdin io.WriteCloser, stdout, stderr io.ReadCloser, err error)
	// CloseStdin tells the process that no more input comes. While its
	// system shuts down or after it stopped, HCS answers ErrInvalidState.
	CloseStdin(ctx context.Context) error
	// Close releases the handle; it neither kills the process nor waits,
	// for calls in flight neither (see System.Close). Every later call on
	// this handle but Pid and Close answers ErrAlreadyClosed (Wait: see
	// there); Close again answers nil.
	Close(ctx context.Context) error
}
