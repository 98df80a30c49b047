// Package local is the Windows backend of a container engine, a drop-in
// re-implementation of moby's libcontainerd/local: it turns OCI runtime
// specs into Host Compute Service schema-v1 documents, drives containers and
// processes through HCS, and delivers ordered lifecycle events to the
// engine's Backend.
//
// All logic is portable and reaches the machine through the hcs seam only:
// on Windows NewClient binds it to the real HCS; elsewhere, and in tests,
// WithHost gives it another host such as the in-memory one.
package local

import (
	"context"
	"errors"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/queue"
	"github.com/libcontainerd-windows/local/types"
)

// client implements types.Client. Invariants: every field but eventQ is
// immutable; eventQ is safe for concurrent use.
type client struct {
	host            hcs.Host
	backend         types.Backend
	logger          *log.Entry
	eventQ          queue.Queue
	translator      translator
	restoreTimeout  time.Duration
	shutdownTimeout time.Duration
}

var _ types.Client = (*client)(nil)

// NewClient returns a client that runs containers through HCS and reports
// their events to b, with moby's signature: cli and stateDir are unused, as
// in moby. Without WithHost it drives the machine's HCS, which exists only
// on Windows; elsewhere it then returns a not-implemented error.
func NewClient(ctx context.Context, cli *containerd.Client, stateDir, ns string, b types.Backend, opts ...Option) (types.Client, error) {
	if b == nil {
		return nil, invalidParameter(errors.New("NewClient: the Backend must not be nil"))
	}
	ctx = orBackground(ctx)
	o := newOptions(opts)
	if o.host == nil {
		host, err := MachineHost()
		if err != nil {
			return nil, err
		}
		o.host = host
	}
	logger := log.G(ctx).WithField("module", "libcontainerd").WithField("namespace", ns)
	return &client{
		host:            o.host,
		backend:         b,
		logger:          logger,
		translator:      translator{host: o.host, owner: o.owner, logger: logger},
		restoreTimeout:  o.restoreTimeout,
		shutdownTimeout: o.shutdownTimeout,
	}, nil
}

// orBackground is ctx, or context.Background() for a nil one: the API
// answers a nil context as it does an empty one rather than panicking.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// Version is not implemented on Windows, as in moby.
func (c *client) Version(context.Context) (containerd.Version, error) {
	return containerd.Version{}, notImplemented(errors.New("not implemented on Windows"))
}

// NewContainer translates spec, creates the compute system and starts it.
// The create event follows success. When Start fails the system is
// terminated and its handle closed, and Start's error is returned.
func (c *client) NewContainer(_ context.Context, id string, spec *specs.Spec, _ string, _ interface{}, _ ...containerd.NewContainerOpts) (types.Container, error) {
	logger := c.logger.WithField("container", id)
	config, err := c.translator.containerConfig(id, spec)
	if err != nil {
		return nil, err
	}
	hc, err := c.host.CreateSystem(id, config)
	if err != nil {
		return nil, err
	}
	ctr := c.newContainer(id, spec, hc)

	logger.Debug("starting container")
	if err := hc.Start(); err != nil {
		logger.WithError(err).Error("failed to start container")
		ctr.mu.Lock()
		if err := ctr.terminate(); err != nil {
			logger.WithError(err).Error("failed to cleanup after a failed Start")
		}
		if err := hc.Close(); err != nil {
			logger.WithError(err).Error("failed to close the container after a failed Start")
		}
		ctr.system = nil
		ctr.mu.Unlock()
		return nil, err
	}
	c.emit(types.EventInfo{ContainerID: id}, types.EventCreate)
	logger.Debug("container created and started")
	return ctr, nil
}

// LoadContainer opens a container an earlier client left on the host. It
// cannot be re-attached (HCS v1 cannot), so, as moby does, it terminates the
// container and waits up to the restore timeout for it to stop; the loaded
// container can then only be deleted.
func (c *client) LoadContainer(_ context.Context, id string) (types.Container, error) {
	logger := c.logger.WithField("container", id)
	logger.Debug("LoadContainer()")
	hc, err := c.host.OpenSystem(id)
	if err != nil {
		logger.WithError(err).Debug("failed to open container")
		return nil, notFound(withText("container not found", err)) // moby's text
	}
	if err := awaitStop(hc, hc.Terminate(), c.restoreTimeout); err != nil {
		logger.WithError(err).Debug("terminate failed on restore")
		if cerr := hc.Close(); cerr != nil {
			logger.WithError(cerr).Warn("failed to close the container after a failed restore")
		}
		return nil, err
	}
	return c.newContainer(id, nil, hc), nil
}
