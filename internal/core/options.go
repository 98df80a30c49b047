package core

import (
	"fmt"
	"reflect"
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

// checkHost refuses, with an invalid-parameter error naming caller, a host
// the backend cannot use: none, a nil pointer (or other nil value) in the
// interface, whose methods would panic, or one that reports no processor,
// against the contract, as a zero memhost.Host does.
func checkHost(caller string, host hcs.Host) error {
	if host == nil {
		return invalidParameter(fmt.Errorf("%s: the host must not be nil", caller))
	}
	switch v := reflect.ValueOf(host); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		if v.IsNil() {
			return invalidParameter(fmt.Errorf("%s: the host is a nil %T", caller, host))
		}
	}
	if n := host.NumCPU(); n < 1 {
		return invalidParameter(fmt.Errorf("%s: the host (%T) reports %d processors: it is not ready (a host made by its package's constructor reports at least one)", caller, host, n))
	}
	return nil
}
