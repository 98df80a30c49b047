// Package fronttest is the behaviour suite every front of the backend
// passes: an engine's use of the whole API, through the front's own types,
// against the in-memory host. The backend's logic is tested in the core;
// this suite holds each moby line's API to the same behaviour, so that the
// fronts differ only where their lines do.
//
// A front's test adapts its types to the suite's (Front and the interfaces
// below), one method each, and runs Run.
package fronttest

import (
	"context"
	"io"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
)

// Front is one front as the suite drives it.
type Front struct {
	// NewClient is the front's NewClient with WithHost(host), reporting
	// to b; ctx may be nil.
	NewClient func(ctx context.Context, host hcs.Host, b Backend) (Client, error)
	// PauseUnsupported is the text of Pause's error for a
	// process-isolated container, the line's.
	PauseUnsupported string
	// Errdefs are the IsX helpers of the errdefs packages the line's moby
	// tests the backend's errors with; a nil helper is one the package
	// lacks.
	Errdefs []Errdefs
}

// Errdefs is an errdefs package's IsX helpers.
type Errdefs struct {
	Name                                                                       string
	IsInvalidArgument, IsNotFound, IsConflict, IsNotModified, IsNotImplemented func(error) bool
	IsAlreadyExists                                                            func(error) bool
	IsCanceled, IsDeadlineExceeded                                             func(error) bool
}

// Backend receives the events in the suite's types; the front's adapter
// converts its line's EventInfo.
type Backend interface {
	ProcessEvent(containerID, event string, ei EventInfo) error
}

// EventInfo is the line's EventInfo, field for field.
type EventInfo struct {
	ContainerID string
	ProcessID   string
	Pid         uint32
	ExitCode    uint32
	ExitedAt    time.Time
	Error       error
}

// Stdio is what the engine's attachStdio got: the DirectIO's pipes and its
// Config().Terminal.
type Stdio struct {
	Stdin          io.WriteCloser
	Stdout, Stderr io.ReadCloser
	Terminal       bool
}

// Attach is the engine's attachStdio.
type Attach func(Stdio) error

// Exit is an exit status: ExitCode(), ExitTime() and Error().
type Exit struct {
	Code uint32
	Time time.Time
	Err  error
}

// Status is a task's status: its Status string (containerd's), and its
// ExitStatus and ExitTime.
type Status struct {
	Status string
	Exit   Exit
}

// Summary is the part of a process summary the suite reads.
type Summary struct {
	ImageName string
	ProcessID uint32
	CreatedAt time.Time
}

// Client is the line's Client.
type Client interface {
	Version(ctx context.Context) error
	NewContainer(ctx context.Context, id string, spec *specs.Spec) (Container, error)
	LoadContainer(ctx context.Context, id string) (Container, error)
}

// Container is the line's Container.
type Container interface {
	NewTask(ctx context.Context, withStdin bool, attach Attach) (Task, error)
	Task(ctx context.Context) (Task, error)
	AttachTask(ctx context.Context) error
	Delete(ctx context.Context) error
}

// Task is the line's Task; Stats returns the HCS statistics it carries and
// when they were read.
type Task interface {
	Process
	Start(ctx context.Context) error
	Pause(ctx context.Context) error
	Resume(ctx context.Context) error
	Stats(ctx context.Context) (*hcs.Statistics, time.Time, error)
	Summary(ctx context.Context) ([]Summary, error)
	Pids(ctx context.Context) error
	ForceDelete(ctx context.Context) error
	Status(ctx context.Context) (Status, error)
	Exec(ctx context.Context, id string, spec *specs.Process, withStdin bool, attach Attach) (Process, error)
	UpdateResources(ctx context.Context) error
	CreateCheckpoint(ctx context.Context, dir string, exit bool) error
}

// Process is the line's Process, with the CloseStdin moby's daemon finds
// by a type assertion.
type Process interface {
	Pid() uint32
	Kill(ctx context.Context, signal syscall.Signal) error
	Resize(ctx context.Context, width, height uint32) error
	CloseStdin(ctx context.Context) error
	Delete(ctx context.Context) (Exit, error)
}

// CreatedAt reads a process summary's creation time: a time.Time in
// hcsshim v0.11, a protobuf timestamp from v0.12 on.
func CreatedAt(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case interface{ AsTime() time.Time }:
		return t.AsTime()
	}
	return time.Time{}
}
