package local

import (
	"context"

	runhcs "github.com/Microsoft/hcsshim/cmd/containerd-shim-runhcs-v1/options"
	containerd "github.com/containerd/containerd/v2/client"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/internal/core"
	"github.com/libcontainerd-windows/local/v2/types"
)

// task implements types.Task over the core's task: the container's init
// process, and the handle on the running container. Start, Kill, Pause,
// Resume, Resize, CloseStdin, ForceDelete and CreateCheckpoint are the
// core's.
type task struct{ *core.Task }

var _ types.Task = task{}

// Delete removes the exited task from its container and returns its exit
// status; it is a conflict while the task runs.
func (t task) Delete(ctx context.Context) (*containerd.ExitStatus, error) {
	return exitStatus(t.Task.Delete(ctx))
}

// Status reports the task running, paused, or stopped with its exit.
func (t task) Status(ctx context.Context) (containerd.Status, error) {
	s, err := t.Task.Status(ctx)
	return containerd.Status{Status: containerd.ProcessStatus(s.State), ExitStatus: s.Exit.Code, ExitTime: s.Exit.Time}, err
}

// Stats returns the container's statistics.
func (t task) Stats(ctx context.Context) (*types.Stats, error) {
	s, readAt, err := t.Task.Stats(ctx)
	if err != nil {
		return nil, err
	}
	// On Windows this is moby's HCSStats (the seam's statistics are
	// hcsshim's there); elsewhere it is Metrics.
	return types.InterfaceToStats(readAt, s), nil
}

// Summary lists the container's processes, for `docker top`.
func (t task) Summary(ctx context.Context) ([]types.Summary, error) {
	list, err := t.Task.Summary(ctx)
	if err != nil {
		return nil, err
	}
	summary := make([]types.Summary, len(list))
	for i, p := range list {
		core.SetSummary((*runhcs.ProcessDetails)(&summary[i]), p)
	}
	return summary, nil
}

// Pids is not implemented on Windows; Summary lists the processes.
func (t task) Pids(ctx context.Context) ([]containerd.ProcessInfo, error) {
	return nil, t.Task.Pids(ctx)
}

// UpdateResources succeeds without doing anything: Windows cannot update
// resources, and moby expects no error so that updating a container works.
func (task) UpdateResources(context.Context, *types.Resources) error { return nil }

// Exec starts a process in the running container and hands its stdio to
// attachStdio; withStdin is unused, as in moby. The exec-added and
// exec-started events follow success, the exit event the process's end; on
// a failure or a panic of attachStdio the process is killed and released,
// as in NewTask. processID is informational: moby does not enforce its
// uniqueness and neither do we.
func (t task) Exec(ctx context.Context, processID string, spec *specs.Process, _ bool, attachStdio types.StdioCallback) (types.Process, error) {
	p, err := t.Task.Exec(ctx, processID, spec, attach(attachStdio))
	if err != nil {
		return nil, err
	}
	return process{p}, nil
}

// process implements types.Process over the core's process: an exec. Pid,
// Kill, Resize and CloseStdin are the core's.
type process struct{ *core.Process }

var _ types.Process = process{}

// Delete returns the exit status of an exited process; it is a conflict
// while the process runs.
func (p process) Delete(ctx context.Context) (*containerd.ExitStatus, error) {
	return exitStatus(p.Process.Delete(ctx))
}

// exitStatus is a core exit as containerd's exit status, which never
// carries an error (see the core's reap).
func exitStatus(e core.Exit, err error) (*containerd.ExitStatus, error) {
	if err != nil {
		return nil, err
	}
	return containerd.NewExitStatus(e.Code, e.Time, nil), nil
}
