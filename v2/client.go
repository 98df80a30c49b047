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
package local

import (
	"context"

	containerd "github.com/containerd/containerd/v2/client"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
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
	var backend core.Backend
	if b != nil {
		backend = eventBackend{b}
	}
	c, err := core.NewClient(logger, core.Moby28, backend, opts...)
	if err != nil {
		return nil, err
	}
	return client{c}, nil
}

// MachineHost returns the machine's HCS, the host NewClient drives without
// WithHost: through hcsshim on Windows, a not-implemented error elsewhere.
func MachineHost() (hcs.Host, error) { return core.MachineHost() }

// eventBackend hands the core's events to the engine's Backend in moby
// v28's types.
type eventBackend struct{ b types.Backend }

func (e eventBackend) ProcessEvent(id string, event core.EventType, ei core.EventInfo) error {
	return e.b.ProcessEvent(id, types.EventType(event), types.EventInfo(ei))
}

// Version is not implemented on Windows, as in moby.
func (c client) Version(ctx context.Context) (containerd.Version, error) {
	return containerd.Version{}, c.c.Version(ctx)
}

// NewContainer translates spec, creates the compute system and starts it;
// shim, runtimeOptions and opts are unused, as in moby. The create event
// follows success. When Start fails the system is terminated and its
// handle closed, and Start's error is returned.
func (c client) NewContainer(ctx context.Context, id string, spec *specs.Spec, _ string, _ any, _ ...containerd.NewContainerOpts) (types.Container, error) {
	ctr, err := c.c.NewContainer(ctx, id, spec)
	if err != nil {
		return nil, err
	}
	return container{ctr}, nil
}

// LoadContainer opens a container an earlier client left on the host. It
// cannot be re-attached (HCS v1 cannot), so, as moby does, it terminates the
// container and waits up to the restore timeout for it to stop; the loaded
// container can then only be deleted.
func (c client) LoadContainer(ctx context.Context, id string) (types.Container, error) {
	ctr, err := c.c.LoadContainer(ctx, id)
	if err != nil {
		return nil, err
	}
	return container{ctr}, nil
}
