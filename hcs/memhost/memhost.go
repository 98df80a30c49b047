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
//     handle comes from OpenSystem (a restored daemon's), and a system is
//     gone once it stopped and its last handle closed;
//   - the host's facts: its CPU count and the paths that exist on it
//     (New's arguments, AddPath); a stand-in NameToGuid;
//   - processes with real stdio pipes, running a tiny command set read from
//     their command line: "echo TEXT" (with "1>&2", to stderr), "exit N",
//     "cat" or "more" (stdin to stdout until stdin ends), chained with "&"
//     or "&&" after an optional "cmd /c"; anything else runs until it is
//     killed or its system stops. A graceful shutdown ends processes with
//     ExitCodeShutdown (0xC000013A), a termination too unless
//     SetTerminateExitCode says otherwise;
//   - faults in any call (Host.Inject): an error of any class of package
//     hcs or any other, a pending answer, a delay, a hang until a channel
//     closes (but for Process.Stdio, which asks HCS nothing and answers at
//     once), for one call, a few, or all, of one system or process or of
//     all;
//   - a record of what it received: the documents (ContainerConfigs,
//     ProcessConfigs), the calls (Calls, AwaitCalls), the handles left open
//     (OpenHandles, AwaitOpenHandles), the systems and their states.
//
// Where it differs from the real HCS, which an engine's test should not
// rely on:
//
//   - processes run the command set above, not programs: the image's files
//     and the container's mounts, network and devices are not there;
//   - it checks the documents for what the backend can get wrong (ids,
//     layer paths, the volume path, what Hyper-V needs), not everything HCS
//     validates; it refuses a command line longer than Windows'
//     CreateProcess takes (MaxCommandLine), as HCS does;
//   - statistics and the process list are fixed figures of the running
//     processes, not measurements;
//   - NameToGuid is deterministic and of the real results' form, but not
//     HCS's algorithm (it lives in vmcompute.dll and is not public);
//   - errors of its own are ErrAlreadyExists, ErrInvalidDocument and
//     ErrCommandLineTooLong, not HCS's HRESULTs; the classes of package hcs
//     are the ones the real binding maps HCS's answers to;
//   - no call takes real time unless a Fault's Delay or Hang says so.
//
// The package's Example (example_test.go; pkg.go.dev shows it) is an
// engine's test of a Windows code path: HCS fails an exec's wait, and the
// engine's Backend still gets the exec's exit. The implementation is the
// module's internal/hcsfake, which the module's own tests use; this package
// is its public face: its Fault, Op and State are the implementation's.
package memhost

import (
	"context"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// Host is the in-memory HCS; it implements hcs.Host. Its methods are safe
// for concurrent use. Make one with New: a zero Host is not ready.
type Host struct {
	fake *hcsfake.Host
}

var _ hcs.Host = (*Host)(nil)

// New returns a host with cpus processors on which paths exist (Windows
// paths, such as a Hyper-V image's `C:\...\UtilityVM`). It holds no
// system.
func New(cpus int, paths ...string) *Host {
	return &Host{fake: hcsfake.New(cpus, paths...)}
}

// NumCPU is the host's processor count, New's cpus. A Host not made by
// New (a nil one, or a zero Host) reports 0, which NewClient and Documents
// refuse with an invalid-parameter error.
func (h *Host) NumCPU() int {
	if h == nil || h.fake == nil {
		return 0
	}
	return h.fake.NumCPU()
}

// PathExists reports whether path exists on the host: given to New or
// AddPath, case-insensitively, as Windows compares paths.
func (h *Host) PathExists(ctx context.Context, path string) (bool, error) {
	return h.fake.PathExists(ctx, path)
}

// NameToGuid returns the GUID of a layer's name, in the form
// xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx: the same for the same name, another
// for another name (a version 5 UUID of the name, in a namespace of its
// own; HCS's algorithm is not public).
func (h *Host) NameToGuid(ctx context.Context, name string) (string, error) {
	return h.fake.NameToGuid(ctx, name)
}

// CreateSystem creates compute system id from config, not started; it
// refuses an id in use (ErrAlreadyExists) and a document HCS would refuse
// (ErrInvalidDocument). The document is recorded first (ContainerConfigs).
// As the hcs contract says, it first waits, as long as ctx lasts, for the
// release of handles on a system of that id closed while calls were in
// flight on them.
func (h *Host) CreateSystem(ctx context.Context, id string, config *hcs.ContainerConfig) (hcs.System, error) {
	return h.fake.CreateSystem(ctx, id, config)
}

// OpenSystem opens another handle on system id, created earlier by this
// client or an earlier one, as a restarted daemon does; hcs.ErrNotExist
// once the system is gone. It waits for the releases CreateSystem waits
// for.
func (h *Host) OpenSystem(ctx context.Context, id string) (hcs.System, error) {
	return h.fake.OpenSystem(ctx, id)
}

// AddPath makes a Windows path exist on the host.
func (h *Host) AddPath(path string) { h.fake.AddPath(path) }

// SetTerminateExitCode sets the exit code of the processes a Terminate
// ends (DefaultTerminateExitCode until then).
func (h *Host) SetTerminateExitCode(code int) { h.fake.SetTerminateExitCode(code) }

// Inject arms f. Faults are tried in the order they were injected; the
// first that matches a call applies to it, and one whose Times ran out is
// dropped.
func (h *Host) Inject(f Fault) { h.fake.Inject(f) }

// ClearFaultsOf disarms the faults whose ID is id.
func (h *Host) ClearFaultsOf(id string) { h.fake.ClearFaultsOf(id) }

// ClearFaults disarms every fault.
func (h *Host) ClearFaults() { h.fake.ClearFaults() }

// Calls reports how many times op was called on this host, whether a
// fault applied or not.
func (h *Host) Calls(op Op) int { return h.fake.Calls(op) }

// AwaitCalls blocks until op was called at least n times. A call counts as
// soon as it starts, before any fault's delay or hang, so a test can hold a
// call inside the host with Fault.Hang and act while it is there.
func (h *Host) AwaitCalls(op Op, n int) { h.fake.AwaitCalls(op, n) }

// Refused reports how many calls of op a fault made fail without doing
// their work (a Close that did not close, say).
func (h *Host) Refused(op Op) int { return h.fake.Refused(op) }

// ContainerConfigs returns the container documents CreateSystem received,
// in order, refused ones included.
func (h *Host) ContainerConfigs() []hcs.ContainerConfig { return h.fake.ContainerConfigs() }

// ProcessConfigs returns the process documents system id's CreateProcess
// received, in order, refused ones included.
func (h *Host) ProcessConfigs(id string) []hcs.ProcessConfig { return h.fake.ProcessConfigs(id) }

// State returns the state of system id; false when the host has no such
// system (never created, or stopped with every handle closed).
func (h *Host) State(id string) (State, bool) { return h.fake.State(id) }

// Systems returns the ids of the systems the host holds.
func (h *Host) Systems() []string { return h.fake.Systems() }

// OpenHandles returns how many handles are open on systems and processes:
// after an engine deleted everything, what it leaked.
func (h *Host) OpenHandles() int { return h.fake.OpenHandles() }

// AwaitOpenHandles blocks until at most n handles are open, for tests that
// wait for a client to release in the background what it holds.
func (h *Host) AwaitOpenHandles(n int) { h.fake.AwaitOpenHandles(n) }

// ConsoleSize reports the console size of process pid of system id, as its
// last ResizeConsole set it; false when there is no such process.
func (h *Host) ConsoleSize(id string, pid int) (width, height uint16, ok bool) {
	return h.fake.ConsoleSize(id, pid)
}

// Fault changes what the calls it matches do: a delay, a hang, an error,
// a pending answer, for some calls or all (its fields say how).
type Fault = hcsfake.Fault

// Op names an operation of the host, of a compute system or of a process,
// for Fault and Calls.
type Op = hcsfake.Op

// The operations of the host, of a compute system and of a process.
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
	// unless Host.SetTerminateExitCode said otherwise: HCS's, the same as
	// a graceful shutdown's.
	DefaultTerminateExitCode = hcsfake.DefaultTerminateExitCode
)

// MaxCommandLine is the longest command line the host's CreateProcess
// takes, in UTF-16 code units, as Windows' CreateProcess does.
const MaxCommandLine = hcsfake.MaxCommandLine

// Errors of the host that no class of package hcs covers; the backend
// passes them on unclassified, as it does HCS's own.
var (
	// ErrAlreadyExists is CreateSystem's answer for an id in use.
	ErrAlreadyExists = hcsfake.ErrAlreadyExists
	// ErrInvalidDocument is the answer for a document HCS would refuse.
	ErrInvalidDocument = hcsfake.ErrInvalidDocument
	// ErrCommandLineTooLong is CreateProcess's answer for a command line
	// longer than MaxCommandLine.
	ErrCommandLineTooLong = hcsfake.ErrCommandLineTooLong
)
