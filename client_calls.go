package local

import (
	"context"

	"github.com/containerd/containerd"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/core"
	"github.com/libcontainerd-windows/local/types"
)

// MachineHost returns the machine's HCS, the host NewClient drives without
// WithHost: through hcsshim on Windows, a not-implemented error elsewhere.
func MachineHost() (hcs.Host, error) { return core.MachineHost() }

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
