package core

import (
	"errors"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/libcontainerd-windows/local/hcs"
)

// The error classes an engine tests for. Each wrapper keeps its cause's text
// and chain and adds the class two ways: moby's errdefs duck-typed method
// (NotFound(), Conflict(), ...), and errors.Is against the sentinel of
// github.com/containerd/errdefs and its aliases (see AliasSentinel), which
// the IsX helpers of the errdefs packages test.

type errInvalidParameter struct{ error }
type errNotFound struct{ error }
type errConflict struct{ error }
type errNotModified struct{ error }
type errNotImplemented struct{ error }

func (errInvalidParameter) InvalidParameter() {}
func (errNotFound) NotFound()                 {}
func (errConflict) Conflict()                 {}
func (errNotModified) NotModified()           {}
func (errNotImplemented) NotImplemented()     {}

func (e errInvalidParameter) Unwrap() error { return e.error }
func (e errNotFound) Unwrap() error         { return e.error }
func (e errConflict) Unwrap() error         { return e.error }
func (e errNotModified) Unwrap() error      { return e.error }
func (e errNotImplemented) Unwrap() error   { return e.error }

func (errInvalidParameter) Is(target error) bool { return means(cerrdefs.ErrInvalidArgument, target) }
func (errNotFound) Is(target error) bool         { return means(cerrdefs.ErrNotFound, target) }
func (errConflict) Is(target error) bool         { return means(cerrdefs.ErrConflict, target) }
func (errNotModified) Is(target error) bool      { return means(cerrdefs.ErrNotModified, target) }
func (errNotImplemented) Is(target error) bool   { return means(cerrdefs.ErrNotImplemented, target) }

// aliases maps a sentinel of github.com/containerd/errdefs to the sentinels
// of other packages that mean the same. Invariants: written only by
// AliasSentinel during package initialisation, read-only after.
var aliases = map[error][]error{}

// AliasSentinel makes the classes and the wrapped sentinels whose
// github.com/containerd/errdefs sentinel is sentinel also answer errors.Is
// for alias. The front of moby v26 and v27 calls it from an init function
// for the sentinels of containerd 1.7's own errdefs package, which are
// distinct values up to v1.7.18 (moby v26.1.3 pins v1.7.16) and aliases of
// github.com/containerd/errdefs from v1.7.19 on.
func AliasSentinel(sentinel, alias error) {
	if alias != sentinel {
		aliases[sentinel] = append(aliases[sentinel], alias)
	}
}

// means reports whether target is sentinel or one of its aliases.
func means(sentinel, target error) bool {
	if target == sentinel {
		return true
	}
	for _, a := range aliases[sentinel] {
		if target == a {
			return true
		}
	}
	return false
}

// sentinelError is a containerd sentinel that moby returns as a cause: it
// reads as the sentinel and answers errors.Is for its aliases too.
type sentinelError struct{ sentinel error }

func (e sentinelError) Error() string        { return e.sentinel.Error() }
func (e sentinelError) Unwrap() error        { return e.sentinel }
func (e sentinelError) Is(target error) bool { return means(e.sentinel, target) }

// wrapSentinel is sentinel as a cause, where moby wraps one of containerd's.
func wrapSentinel(sentinel error) error { return sentinelError{sentinel} }

func invalidParameter(err error) error { return errInvalidParameter{err} }
func notFound(err error) error         { return errNotFound{err} }
func conflict(err error) error         { return errConflict{err} }
func notModified(err error) error      { return errNotModified{err} }
func notImplemented(err error) error   { return errNotImplemented{err} }

// closedAsGone maps what HCS answers for a handle that we closed while a
// call was using it to gone(), the not-found error the same call gets once
// the closing is done. Only we close the handles a caller holds: Delete a
// system's, the reaper a process's.
func closedAsGone(err error, gone func() error) error {
	if errors.Is(err, hcs.ErrAlreadyClosed) {
		return gone()
	}
	return err
}

// UtilityVMNotFoundError is the error for a Hyper-V spec none of whose
// image layers has a UtilityVM folder. Its text is moby's; Paths lists the
// folders looked for, uppermost layer first, so that a tool can tell which
// one would do. It comes with the invalid-parameter class (errors.As finds
// it).
type UtilityVMNotFoundError struct {
	Paths []string
}

func (*UtilityVMNotFoundError) Error() string { return "utility VM image could not be found" }

// withText returns an error that reads text, moby's, and wraps cause, which
// moby's text leaves out, so that errors.Is and errors.As still find it.
func withText(text string, cause error) error { return textError{text, cause} }

type textError struct {
	text  string
	cause error
}

func (e textError) Error() string { return e.text }
func (e textError) Unwrap() error { return e.cause }

// invalidSpec is the error for a spec the backend rejects; the text follows
// moby's "OCI spec is invalid - ..." phrasing and names the field.
func invalidSpec(text string) error {
	return invalidParameter(errors.New("OCI spec is invalid - " + text))
}
