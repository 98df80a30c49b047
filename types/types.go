package types

import (
	"context"
	"syscall"

	"github.com/Microsoft/hcsshim/cmd/containerd-shim-runhcs-v1/options"
	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/internal/core"
)

// EventType is the kind of a lifecycle event, EventInfo what an event
// says, and Backend what receives the events; their names, fields and
// strings are moby's. They are the core's types, so that the library
// hands its events to the engine's Backend as they are, in every moby
// line's module: of one container one at a time, in order. The package
// local's doc says what each event's EventInfo holds and what a Backend
// may do.
type (
	EventType = core.EventType
	EventInfo = core.EventInfo
	Backend   = core.Backend
)

// The events a client reports. Neither the library nor moby's Windows
// backend sends EventUnknown or EventOOM; moby's types have them.
const (
	EventUnknown     EventType = "unknown"
	EventExit                  = core.EventExit
	EventOOM         EventType = "oom"
	EventCreate                = core.EventCreate
	EventStart                 = core.EventStart
	EventExecAdded             = core.EventExecAdded
	EventExecStarted           = core.EventExecStarted
	EventPaused                = core.EventPaused
	EventResumed               = core.EventResumed
)

// Process is a process of a container: its task or an exec.
type Process interface {
	// Pid is the process id in the container; 0 once the process exited.
	Pid() uint32
	// Kill sends the provided signal to the process.
	Kill(ctx context.Context, signal syscall.Signal) error
	// Resize changes the width and height of the process's console.
	Resize(ctx context.Context, width, height uint32) error
	// Delete removes the process and returns its exit status.
	Delete(context.Context) (*containerd.ExitStatus, error)
}

// Client creates and loads containers.
type Client interface {
	Version(ctx context.Context) (containerd.Version, error)
	// LoadContainer loads a container that already exists on the host.
	LoadContainer(ctx context.Context, containerID string) (Container, error)
	// NewContainer creates a container from an OCI spec.
	NewContainer(ctx context.Context, containerID string, spec *specs.Spec, shim string, runtimeOptions any, opts ...containerd.NewContainerOpts) (Container, error)
}

// Container is a created container.
type Container interface {
	NewTask(ctx context.Context, checkpointDir string, withStdin bool, attachStdio StdioCallback) (Task, error)
	Task(ctx context.Context) (Task, error)
	// AttachTask returns the current task for the container and reattaches
	// to the IO for the running task. If no task exists for the container
	// a NotFound error is returned.
	//
	// Clients must make sure that only one reader is attached to the task.
	AttachTask(ctx context.Context, attachStdio StdioCallback) (Task, error)
	// Delete removes the container and associated resources.
	Delete(context.Context) error
}

// Task is the container's init process and the handle on the running container.
type Task interface {
	Process
	// Start begins execution of the task.
	Start(context.Context) error
	// Pause suspends the execution of the task.
	Pause(context.Context) error
	// Resume the execution of the task.
	Resume(context.Context) error
	Stats(ctx context.Context) (*Stats, error)
	// Pids returns a list of system specific process ids inside the task.
	Pids(context.Context) ([]containerd.ProcessInfo, error)
	Summary(ctx context.Context) ([]Summary, error)
	// ForceDelete forcefully kills the task's processes and deletes the task.
	ForceDelete(context.Context) error
	// Status returns the executing status of the task.
	Status(ctx context.Context) (containerd.Status, error)
	// Exec creates and starts a new process inside the task.
	Exec(ctx context.Context, processID string, spec *specs.Process, withStdin bool, attachStdio StdioCallback) (Process, error)
	UpdateResources(ctx context.Context, resources *Resources) error
	CreateCheckpoint(ctx context.Context, checkpointDir string, exit bool) error
}

// StdioCallback is called to connect a container's or process's stdio: it
// receives the process's pipes (Stdin always set, Stderr nil with a
// terminal) and returns the IO the engine copies with, which is the
// engine's to close; an error kills and releases the process. The package
// local's doc has the whole contract.
type StdioCallback func(io *cio.DirectIO) (cio.IO, error)

// Summary describes one process of a container, as `docker top` shows it.
// It is moby's Windows type on every OS (moby's Linux code only builds an
// empty one). Its CreatedAt is a time.Time in hcsshim v0.11 and a protobuf
// timestamp from v0.12 on.
type Summary options.ProcessDetails
