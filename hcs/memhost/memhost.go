// Package memhost is an in-memory Host Compute Service: an hcs.Host that
// engine authors give the backend (local.WithHost) to test their own
// Windows code paths on any OS, with the race detector, and to make HCS
// fail on purpose. It keeps the contract of the hcs interfaces, which
// hcstest checks in every test run of this module.
//
// What it does:
//
//   - compute systems with HCS's states (created, running, paused,
//     stopped) and answers: Shutdown and Terminate answer hcs.ErrPending
//     and finish in the background, only Hyper-V systems pause, a second
//     handle comes from OpenSystem (a restored daemon's);
//   - the host's facts: its CPU count and the paths that exist on it
//     (New's arguments, AddPath); a stand-in NameToGuid, since the real
//     algorithm lives in vmcompute.dll (it is deterministic, not HCS's);
//   - processes with real stdio pipes, running a tiny command set read from
//     their command line: "echo TEXT" (with "1>&2", to stderr), "exit N",
//     "cat" or "more" (stdin to stdout until stdin ends), chained with "&"
//     or "&&" after an optional "cmd /c"; anything else runs until it is
//     killed or its system stops. A graceful shutdown ends processes with
//     ExitCodeShutdown (0xC000013A), a termination with the code
//     SetTerminateExitCode sets;
//   - faults in any call (Inject): an error of any class of package hcs or
//     any other, a pending answer, a delay, a hang until a channel closes,
//     for one call, a few, or all, of one system or process or of all;
//   - a record of what it received: the documents (ContainerConfigs,
//     ProcessConfigs), the calls (Calls, AwaitCalls), the handles left open
//     (OpenHandles, AwaitOpenHandles), the systems and their states.
//
// The implementation lives in the module's internal/hcsfake; this package
// is its public face.
package memhost

import "github.com/libcontainerd-windows/local/internal/hcsfake"

// Host is the in-memory HCS. Its methods are safe for concurrent use.
type Host = hcsfake.Host

// New returns a host with cpus processors on which paths exist (Windows
// paths, such as a Hyper-V image's `C:\...\UtilityVM`).
func New(cpus int, paths ...string) *Host { return hcsfake.New(cpus, paths...) }

// Fault changes what the calls it matches do; see Host.Inject.
type Fault = hcsfake.Fault

// Op names an operation of the host, a system or a process, for Fault and
// Calls.
type Op = hcsfake.Op

// The operations.
const (
	OpCreateSystem = hcsfake.OpCreateSystem
	OpOpenSystem   = hcsfake.OpOpenSystem
	OpNameToGuid   = hcsfake.OpNameToGuid
	OpPathExists   = hcsfake.OpPathExists

	OpStart         = hcsfake.OpStart
	OpShutdown      = hcsfake.OpShutdown
	OpTerminate     = hcsfake.OpTerminate
	OpWait          = hcsfake.OpWait
	OpWaitTimeout   = hcsfake.OpWaitTimeout
	OpPause         = hcsfake.OpPause
	OpResume        = hcsfake.OpResume
	OpStatistics    = hcsfake.OpStatistics
	OpProcessList   = hcsfake.OpProcessList
	OpCreateProcess = hcsfake.OpCreateProcess
	OpClose         = hcsfake.OpClose

	OpProcessKill        = hcsfake.OpProcessKill
	OpProcessWait        = hcsfake.OpProcessWait
	OpProcessWaitTimeout = hcsfake.OpProcessWaitTimeout
	OpProcessExitCode    = hcsfake.OpProcessExitCode
	OpProcessResize      = hcsfake.OpProcessResize
	OpProcessStdio       = hcsfake.OpProcessStdio
	OpProcessCloseStdin  = hcsfake.OpProcessCloseStdin
	OpProcessClose       = hcsfake.OpProcessClose
)

// State is a compute system's state, as Host.State reports it.
type State = hcsfake.State

// The states.
const (
	StateCreated = hcsfake.StateCreated
	StateRunning = hcsfake.StateRunning
	StatePaused  = hcsfake.StatePaused
	StateStopped = hcsfake.StateStopped
)

// Exit codes the host's processes end with.
const (
	// ExitCodeShutdown ends a process whose system shut down gracefully:
	// STATUS_CONTROL_C_EXIT, 0xC000013A.
	ExitCodeShutdown = hcsfake.ExitCodeShutdown
	// ExitCodeKilled ends a killed process.
	ExitCodeKilled = hcsfake.ExitCodeKilled
	// DefaultTerminateExitCode ends the processes of a terminated system
	// unless Host.SetTerminateExitCode said otherwise.
	DefaultTerminateExitCode = hcsfake.DefaultTerminateExitCode
)

// Errors of the host that no class of package hcs covers.
var (
	// ErrAlreadyExists: CreateSystem of an id in use.
	ErrAlreadyExists = hcsfake.ErrAlreadyExists
	// ErrInvalidDocument: a document HCS would refuse.
	ErrInvalidDocument = hcsfake.ErrInvalidDocument
)
