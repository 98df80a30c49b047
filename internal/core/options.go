package core

import (
	"time"

	"github.com/libcontainerd-windows/local/hcs"
)

// The defaults of moby's backend, which hard-codes them.
const (
	// DefaultRestoreTimeout bounds the wait for a loaded container's
	// termination.
	DefaultRestoreTimeout = 2 * time.Minute
	// DefaultShutdownTimeout bounds the waits for a container's shutdown
	// and for its termination when it is deleted, or when its Start failed.
	DefaultShutdownTimeout = 5 * time.Minute
)

// Option changes a client's configuration.
type Option func(*options)

type options struct {
	host            hcs.Host
	owner           string
	restoreTimeout  time.Duration
	shutdownTimeout time.Duration
}

func newOptions(opts []Option) options {
	o := options{
		owner:           defaultOwner,
		restoreTimeout:  DefaultRestoreTimeout,
		shutdownTimeout: DefaultShutdownTimeout,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithHost makes the client drive host instead of the machine's HCS: the
// in-memory host of hcs/memhost in tests and tools, or another binding
// of the seam. It is how the backend runs on an OS without HCS.
func WithHost(host hcs.Host) Option {
	return func(o *options) { o.host = host }
}

// WithOwner sets the owner HCS records for the compute systems the client
// creates; moby's is "docker".
func WithOwner(owner string) Option {
	return func(o *options) { o.owner = owner }
}

// WithRestoreTimeout bounds LoadContainer's wait for the termination of the
// container it found (DefaultRestoreTimeout).
func WithRestoreTimeout(d time.Duration) Option {
	return func(o *options) { o.restoreTimeout = d }
}

// WithShutdownTimeout bounds each wait of a container's Delete for its
// shutdown and, failing that, its termination, and the wait for the
// termination of a container whose Start failed (DefaultShutdownTimeout).
func WithShutdownTimeout(d time.Duration) Option {
	return func(o *options) { o.shutdownTimeout = d }
}
