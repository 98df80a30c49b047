package core

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/machine"
	"github.com/libcontainerd-windows/local/internal/putoff"
	"github.com/libcontainerd-windows/local/queue"
)

// Client runs containers through HCS and reports their events. Invariants:
// every field but eventQ, emitting and cleanUps is immutable; they are
// safe for concurrent use.
type Client struct {
	host    hcs.Host
	backend Backend
	line    Line
	logger  *log.Entry
	eventQ  queue.Queue
	// emitting makes one emit's events adjacent on their container's queue.
	emitting sync.Mutex
	// cleanUps counts the clean-ups of failed calls that go on after
	// their caller stopped waiting (cleanUpDetached); NewContainer and
	// LoadContainer of their id wait for them.
	cleanUps        putoff.Releases
	translator      translator
	restoreTimeout  time.Duration
	shutdownTimeout time.Duration
}

// NewClient returns a client of line that reports events to b and logs to
// logger, which a front makes as its line's moby does. Without WithHost it
// drives the machine's HCS, which exists only on Windows; elsewhere it then
// returns a not-implemented error.
func NewClient(logger *log.Entry, line Line, b Backend, opts ...Option) (*Client, error) {
	if b == nil {
		return nil, invalidParameter(errors.New("NewClient: the Backend must not be nil"))
	}
	o := newOptions(opts)
	if o.host == nil {
		host, err := MachineHost()
		if err != nil {
			return nil, err
		}
		o.host = host
	}
	if err := checkHost("NewClient", o.host); err != nil {
		return nil, err
	}
	return &Client{
		host:            o.host,
		backend:         b,
		line:            line,
		logger:          logger,
		translator:      translator{host: o.host, owner: o.owner, logger: logger},
		restoreTimeout:  o.restoreTimeout,
		shutdownTimeout: o.shutdownTimeout,
	}, nil
}

// MachineHost returns the machine's HCS, through hcsshim on Windows; it is
// a not-implemented error elsewhere.
func MachineHost() (hcs.Host, error) {
	host, err := machine.Host()
	if err != nil {
		return nil, notImplemented(err)
	}
	return host, nil
}

// Logger is the logger of ctx, which may be nil.
func Logger(ctx context.Context) *log.Entry { return log.G(orBackground(ctx)) }

// orBackground is ctx, or context.Background() for a nil one: the API
// answers a nil context as it does an empty one rather than panicking.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// Version is not implemented on Windows, as in moby: this is its error.
func (c *Client) Version(context.Context) error {
	return notImplemented(errors.New("not implemented on Windows"))
}

// NewContainer translates spec, creates the compute system and starts it.
// The create event follows success. When Start fails the system is
// terminated and its handle closed, and Start's error is returned; when ctx
// ends first, its error is returned and the clean-up goes on without the
// caller.
func (c *Client) NewContainer(ctx context.Context, id string, spec *specs.Spec) (*Container, error) {
	ctx = orBackground(ctx)
	logger := c.logger.WithField("container", id)
	config, err := c.translator.containerConfig(ctx, id, spec)
	if err != nil {
		return nil, fromContext(err)
	}
	if err := c.cleanUps.Wait(ctx, id); err != nil {
		return nil, fromContext(err)
	}
	hc, err := c.host.CreateSystem(ctx, id, config)
	if err != nil {
		return nil, fromContext(err)
	}
	ctr := c.newContainer(id, spec, hc)

	logger.Debug("starting container")
	if err := hc.Start(ctx); err != nil {
		logger.WithError(err).Error("failed to start container")
		c.cleanUpDetached(ctx, id, func(ctx context.Context) {
			if err := ctr.terminate(ctx, hc); err != nil {
				logger.WithError(err).Error("failed to cleanup after a failed Start")
			}
			if err := hc.Close(ctx); err != nil {
				logger.WithError(err).Error("failed to close the container after a failed Start")
			}
		})
		return nil, fromContext(err)
	}
	c.emit(EventInfo{ContainerID: id}, EventCreate)
	logger.Debug("container created and started")
	return ctr, nil
}

// cleanUpDetached runs f, which releases what a failed call made of
// container id, for as long as ctx lasts; f goes on in the background
// after that, with ctx's values and without its end, since what it
// releases nobody else will. A NewContainer or LoadContainer of id waits
// for it meanwhile.
func (c *Client) cleanUpDetached(ctx context.Context, id string, f func(context.Context)) {
	done := make(chan struct{})
	end := c.cleanUps.Begin(id)
	go func() {
		defer close(done)
		defer end()
		f(context.WithoutCancel(ctx))
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// LoadContainer opens a container an earlier client left on the host. It
// cannot be re-attached (HCS v1 cannot), so, as moby does, it terminates the
// container and waits up to the restore timeout for it to stop; the loaded
// container can then only be deleted.
func (c *Client) LoadContainer(ctx context.Context, id string) (*Container, error) {
	ctx = orBackground(ctx)
	logger := c.logger.WithField("container", id)
	logger.Debug("LoadContainer()")
	if err := c.cleanUps.Wait(ctx, id); err != nil {
		return nil, fromContext(err)
	}
	hc, err := c.host.OpenSystem(ctx, id)
	if err != nil {
		logger.WithError(err).Debug("failed to open container")
		if endedContext(err) {
			return nil, fromContext(err)
		}
		return nil, notFound(withText("container not found", err)) // moby's text
	}
	if err := awaitStop(ctx, hc, hc.Terminate(ctx), c.restoreTimeout); err != nil {
		logger.WithError(err).Debug("terminate failed on restore")
		c.cleanUpDetached(ctx, id, func(ctx context.Context) {
			if cerr := hc.Close(ctx); cerr != nil {
				logger.WithError(cerr).Warn("failed to close the container after a failed restore")
			}
		})
		return nil, fromContext(err)
	}
	return c.newContainer(id, nil, hc), nil
}
