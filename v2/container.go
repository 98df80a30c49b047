package local

import (
	"context"

	"github.com/libcontainerd-windows/local/internal/core"
	"github.com/libcontainerd-windows/local/v2/types"
)

// container implements types.Container over the core's container; Delete
// is the core's.
type container struct{ *core.Container }

var _ types.Container = container{}

// NewTask starts the container's init process and hands its stdio to
// attachStdio; checkpointDir and withStdin are unused, as in moby, and Start
// need not be called. The start event follows success. When a step after
// the process's creation fails, or attachStdio panics, the process is
// killed and released, no task is recorded, and the error is returned or
// the panic goes on.
func (c container) NewTask(ctx context.Context, _ string, _ bool, attachStdio types.StdioCallback) (types.Task, error) {
	t, err := c.Container.NewTask(ctx, attach(attachStdio))
	if err != nil {
		return nil, err
	}
	return task{t}, nil
}

// Task returns the current task.
func (c container) Task(ctx context.Context) (types.Task, error) {
	t, err := c.Container.Task(ctx)
	if err != nil {
		return nil, err
	}
	return task{t}, nil
}

// AttachTask is called by the engine only when it restores containers. HCS
// v1 cannot re-attach (see LoadContainer), so it answers not found, which
// lets the restore go on, as in moby.
func (c container) AttachTask(ctx context.Context, _ types.StdioCallback) (types.Task, error) {
	return nil, c.Container.AttachTask(ctx)
}

// attach hands a process's stdio to the engine's callback as the DirectIO
// moby builds; the cio.IO the callback returns is the engine's own.
func attach(attachStdio types.StdioCallback) core.Attach {
	if attachStdio == nil {
		return nil // the core rejects it
	}
	return func(s core.Stdio) error {
		_, err := attachStdio(newDirectIO(s))
		return err
	}
}
