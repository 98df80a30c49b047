// Package core is the backend's logic, shared by every moby line's API:
// the translation of OCI specs into HCS documents, the life of containers,
// tasks and processes, their events and their errors. It reaches the
// machine through the hcs seam only and imports no containerd package: it
// speaks the few small types below, and each front (the root module for
// moby v26 and v27, the v2 module for v28 and v29) adapts them to its
// line's libcontainerd types.
package core

import (
	"io"
	"time"
)

// EventType is the kind of a lifecycle event; its strings are moby's.
type EventType string

// The events a client reports.
const (
	EventExit        EventType = "exit"
	EventCreate      EventType = "create"
	EventStart       EventType = "start"
	EventExecAdded   EventType = "exec-added"
	EventExecStarted EventType = "exec-started"
	EventPaused      EventType = "paused"
	EventResumed     EventType = "resumed"
)

// EventInfo describes an event: its fields are moby's libcontainerd
// EventInfo's, and each front's types package has EventType, EventInfo and
// Backend as aliases of the core's. Pid, ExitCode, ExitedAt and Error are
// set where the event has them.
type EventInfo struct {
	ContainerID string
	ProcessID   string
	Pid         uint32
	ExitCode    uint32
	ExitedAt    time.Time
	Error       error
}

// Backend receives a client's events: those of one container one at a
// time, in order.
type Backend interface {
	ProcessEvent(containerID string, event EventType, ei EventInfo) error
}

// Stdio is what a process's engine gets of its pipes: Stdin is nil when
// HCS made none, Stdout and Stderr likewise; Terminal tells whether the
// process has an emulated console.
type Stdio struct {
	Stdin    io.WriteCloser
	Stdout   io.ReadCloser
	Stderr   io.ReadCloser
	Terminal bool
}

// Attach hands a new process's stdio to the engine; an error makes the
// process's start fail.
type Attach func(Stdio) error

// Exit is how a process ended: its exit code and when the backend saw it.
type Exit struct {
	Code uint32
	Time time.Time
}

// State is the state of a task as Status reports it; its strings are
// containerd's ProcessStatus values.
type State string

// A task's states.
const (
	Running State = "running"
	Paused  State = "paused"
	Stopped State = "stopped"
)

// Status is a task's state and, once it stopped, its exit.
type Status struct {
	State State
	Exit  Exit
}
