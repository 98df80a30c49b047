package local

import (
	"context"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/core"
)

// The defaults of moby's backend, which hard-codes them.
const (
	// DefaultRestoreTimeout bounds the wait for a loaded container's
	// termination.
	DefaultRestoreTimeout = core.DefaultRestoreTimeout
	// DefaultShutdownTimeout bounds the waits for a container's shutdown
	// and for its termination when it is deleted, or when its Start failed.
	DefaultShutdownTimeout = core.DefaultShutdownTimeout
)

// Option changes a client's configuration.
type Option = core.Option

// WithHost makes the client drive host instead of the machine's HCS: the
// in-memory host of hcs/memhost in tests and tools, or another binding of
// the seam. It is how the backend runs on an OS without HCS.
func WithHost(host hcs.Host) Option { return core.WithHost(host) }

// WithOwner sets the owner HCS records for the compute systems the client
// creates; moby's is "docker".
func WithOwner(owner string) Option { return core.WithOwner(owner) }

// WithRestoreTimeout bounds LoadContainer's wait for the termination of the
// container it found (DefaultRestoreTimeout).
func WithRestoreTimeout(d time.Duration) Option { return core.WithRestoreTimeout(d) }

// WithShutdownTimeout bounds each wait of a container's Delete for its
// shutdown and, failing that, its termination, and the wait for the
// termination of a container whose Start failed (DefaultShutdownTimeout).
func WithShutdownTimeout(d time.Duration) Option { return core.WithShutdownTimeout(d) }

// Documents returns the HCS documents a client would send for a container
// created from spec: the compute system's and its init process's. It is the
// translation alone, nothing is created; host answers the host facts
// (NameToGuid, CPU count, paths). Warnings, such as a clamped CPU count, go
// to the context's logger. Of the options, WithOwner applies.
func Documents(ctx context.Context, id string, spec *specs.Spec, host hcs.Host, opts ...Option) (*hcs.ContainerConfig, *hcs.ProcessConfig, error) {
	return core.Documents(ctx, id, spec, host, opts...)
}
