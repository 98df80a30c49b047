package local

import (
	"errors"

	ctrderrdefs "github.com/containerd/containerd/errdefs"
	cerrdefs "github.com/containerd/errdefs"

	"github.com/libcontainerd-windows/local/hcs"
)

// The error classes an engine tests for. Each wrapper keeps its cause's text
// and chain and adds the class three ways: moby's errdefs duck-typed method
// (NotFound(), Conflict(), ...), and errors.Is against the sentinels of both
// containerd errdefs packages, which their IsX helpers test. The two
// packages' sentinels are distinct values in containerd v1.7.16, the version
// moby pins (whose package has no conflict or not-modified sentinel), and
// the same values from v1.7.19 on, where containerd's package aliases
// github.com/containerd/errdefs.

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

func (errInvalidParameter) Is(target error) bool {
	return target == cerrdefs.ErrInvalidArgument || target == ctrderrdefs.ErrInvalidArgument
}
func (errNotFound) Is(target error) bool {
	return target == cerrdefs.ErrNotFound || target == ctrderrdefs.ErrNotFound
}
func (errConflict) Is(target error) bool    { return target == cerrdefs.ErrConflict }
func (errNotModified) Is(target error) bool { return target == cerrdefs.ErrNotModified }
func (errNotImplemented) Is(target error) bool {
	return target == cerrdefs.ErrNotImplemented || target == ctrderrdefs.ErrNotImplemented
}

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
