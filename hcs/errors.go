package hcs

import "errors"

// The classes of errors HCS answers with. Implementations of the seam return
// errors for which errors.Is(err, ErrX) holds, keeping the original error's
// text (see WithClass); the backend branches on these classes only.
var (
	// ErrPending: the operation was accepted and completes asynchronously;
	// wait for the system to tell when.
	ErrPending = errors.New("hcs: operation pending")
	// ErrAlreadyStopped: the system or process has already stopped.
	ErrAlreadyStopped = errors.New("hcs: already stopped")
	// ErrNotExist: no compute system or process has that identity.
	ErrNotExist = errors.New("hcs: does not exist")
	// ErrAlreadyClosed: the handle was closed.
	ErrAlreadyClosed = errors.New("hcs: handle already closed")
	// ErrInvalidState: the operation is not valid in the current state,
	// for instance while the system shuts down.
	ErrInvalidState = errors.New("hcs: invalid state for operation")
	// ErrBrokenPipe: the connection to the process ended, typically
	// because it exited or its system stopped.
	ErrBrokenPipe = errors.New("hcs: broken pipe")
	// ErrTimeout: a wait ended because its timeout passed.
	ErrTimeout = errors.New("hcs: timeout")
)

// WithClass returns err marked with class, one of the Err values above:
// errors.Is(result, class) holds, the text is err's, and errors.Is and
// errors.As still reach err's own chain.
func WithClass(class, err error) error {
	if err == nil {
		return nil
	}
	return &classed{class: class, err: err}
}

type classed struct {
	class error
	err   error
}

func (e *classed) Error() string        { return e.err.Error() }
func (e *classed) Unwrap() []error      { return []error{e.class, e.err} }
func (e *classed) Is(target error) bool { return target == e.class }
