// Package hcs is the seam between the portable backend and the Host Compute
// Service: the schema-v1 documents HCS takes and returns, the small set of
// operations the backend needs of the machine, of a compute system and of a
// process, and the classes of errors HCS answers with.
//
// On Windows the seam is bound to hcsshim's legacy (v1) API; everywhere the
// in-memory host in internal/hcsfake implements it for tests and the tool.
package hcs

import (
	"io"
	"time"
)

// Host is everything the backend asks of the machine. Nothing else in the
// backend looks at the OS for host facts.
type Host interface {
	// CreateContainer creates a compute system (created, not started).
	CreateSystem(id string, config *ContainerConfig) (System, error)
	// OpenContainer opens a compute system that already exists, for
	// instance one a previous daemon created. It answers ErrNotExist when
	// there is none.
	OpenSystem(id string) (System, error)
	// NameToGuid returns the GUID HCS derives from a layer folder's name,
	// in its canonical string form.
	NameToGuid(name string) (string, error)
	// NumCPU is the number of processors the daemon may use.
	NumCPU() int
	// PathExists tells whether a host path exists. An error means the
	// answer is unknown (not that the path is missing).
	PathExists(path string) (bool, error)
}

// Container is a compute system, the subset of hcsshim.Container the
// backend uses. Shutdown and Terminate may answer ErrPending, after which
// Wait or WaitTimeout tells when the system stopped.
type System interface {
	Start() error
	Shutdown() error
	Terminate() error
	Wait() error
	// WaitTimeout answers ErrTimeout when d passes first.
	WaitTimeout(d time.Duration) error
	Pause() error
	Resume() error
	Statistics() (Statistics, error)
	ProcessList() ([]ProcessListItem, error)
	CreateProcess(config *ProcessConfig) (Process, error)
	// Close releases the handle; it neither stops nor waits.
	Close() error
}

// Process is a process in a compute system, the subset of hcsshim.Process
// the backend uses.
type Process interface {
	Pid() int
	// Kill asks the process to terminate and does not wait.
	Kill() error
	Wait() error
	// WaitTimeout answers ErrTimeout when d passes first.
	WaitTimeout(d time.Duration) error
	// ExitCode is valid once the process exited.
	ExitCode() (int, error)
	ResizeConsole(width, height uint16) error
	// Stdio returns the pipes the process was created with; a pipe that was
	// not asked for is nil.
	Stdio() (stdin io.WriteCloser, stdout, stderr io.ReadCloser, err error)
	// CloseStdin tells the process that no more input comes.
	CloseStdin() error
	// Close releases the handle; it neither kills nor waits.
	Close() error
}
