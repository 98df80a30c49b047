// Package local is the Windows backend of a container engine, a drop-in
// re-implementation of moby's libcontainerd/local for moby v28.x and v29
// (over containerd 2): it turns OCI runtime specs into Host Compute Service
// schema-v1 documents, drives containers and processes through HCS, and
// delivers ordered lifecycle events to the engine's Backend. (Module
// github.com/libcontainerd-windows/local is the same backend with moby
// v26's and v27's API.)
//
// All logic is portable and reaches the machine through the hcs seam only:
// on Windows NewClient binds it to the real HCS; elsewhere, and in tests,
// WithHost gives it another host such as the in-memory one of hcs/memhost.
// This package adapts the backend to moby v28's libcontainerd types.
//
// # What an engine can rely on
//
// moby's dockerd relies on each of these; the module's tests check each.
//
//   - NewTask creates and starts the init process; Task.Start is a no-op,
//     to be called or not. NewContainer's shim and runtimeOptions, and
//     NewTask's checkpointDir and withStdin, are unused, as in moby.
//   - attachStdio receives a containerd DirectIO over the process's pipes:
//     Stdin is set even when withStdin is false (the process always has a
//     stdin pipe; the engine closes it when it has nothing to send, which
//     also tells HCS that input ended), Stdout is set, Stderr is nil with a
//     terminal. It returns the cio.IO the engine copies with, which stays
//     the engine's to close; the stdout and stderr readers close themselves
//     when the process's output ends. If it returns an error or panics, the
//     process is killed and released and the call fails (or the panic goes
//     on); nothing is recorded.
//   - Events come one at a time per container, in the order of their
//     causes, on a goroutine of the library's, never under its locks; a
//     Backend may block (that container's later events wait), fail (logged)
//     or panic (logged, the event dropped). The create event has the
//     container's id only; the init process's start and exit events have
//     the container's id as ProcessID; an exec's exec-added and
//     exec-started come together, its exit later, with the exec's id.
//     Every started process gets exactly one exit event.
//   - Every method honours its context when HCS does not answer: the call
//     returns an error that is the context's (errors.Is), classed for
//     moby's errdefs and containerd's, and the container stays usable;
//     what HCS does late is handled here (a system or process created late
//     is ended, a pause done late is reported then). A call HCS holds never
//     holds up another container, nor Status, Pid or Task. With a context
//     that does not end, a call waits for HCS as moby's does.
//
// # Logging
//
// The client logs through the containerd/log entry of NewClient's context
// (log.G), with the field module=libcontainerd, and
// container and process where they apply: every event at info ("sending
// event"), as moby does; a failed wait, exit code or handle release of a
// process at warning; a failed HCS call, or a Backend that failed or
// panicked, at error; the container's steps at debug. To route or silence
// it, give NewClient a context with an entry of your own:
//
//	quiet := logrus.New()
//	quiet.SetLevel(logrus.WarnLevel)
//	client, err := local.NewClient(log.WithLogger(ctx, logrus.NewEntry(quiet)), ...)
package local

import (
	"context"

	"github.com/libcontainerd-windows/local/internal/core"
	"github.com/libcontainerd-windows/local/v2/types"
)

// client implements types.Client over the core's client.
type client struct{ c *core.Client }

var _ types.Client = client{}

// NewClient returns a client that runs containers through HCS and reports
// their events to b, with moby v28's signature. Without WithHost it drives
// the machine's HCS, which exists only on Windows; elsewhere it then
// returns a not-implemented error.
func NewClient(ctx context.Context, b types.Backend, opts ...Option) (types.Client, error) {
	logger := core.Logger(ctx).WithField("module", "libcontainerd")
	c, err := core.NewClient(logger, core.Moby28, b, opts...)
	if err != nil {
		return nil, err
	}
	return client{c}, nil
}
