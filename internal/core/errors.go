package core

import (
	"context"
	"errors"
)

// The error classes an engine tests for. Each wrapper keeps its cause's text
// and chain and adds the class two ways: moby's errdefs duck-typed method
// (NotFound(), Conflict(), ...), which github.com/containerd/errdefs from
// v0.3.0 reads too, and errors.Is against the sentinels its front
// recognises for the class (see Recognize), which the IsX helpers of
// containerd's errdefs packages test.

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

func (errInvalidParameter) Is(target error) bool { return InvalidParameter.means(target) }
func (errNotFound) Is(target error) bool         { return NotFound.means(target) }
func (errConflict) Is(target error) bool         { return Conflict.means(target) }
func (errNotModified) Is(target error) bool      { return NotModified.means(target) }
func (errNotImplemented) Is(target error) bool   { return NotImplemented.means(target) }

// Kind is what an errdefs sentinel means: one of the error classes, or
// AlreadyExists, a sentinel moby returns as a cause.
type Kind int

// The kinds.
const (
	InvalidParameter Kind = iota
	NotFound
	Conflict
	NotModified
	NotImplemented
	AlreadyExists
	kinds
)

// sentinels holds, for each kind, the sentinels of the errdefs packages
// that mean it. Invariants: written only by Recognize during package
// initialisation, read-only after.
var sentinels [kinds][]error

// Recognize makes the errors of kind k answer errors.Is for sentinel. Each
// front calls it from an init function for its line's errdefs packages:
// the core knows none, so that neither the containerd 1.x nor the 2.x one
// is linked where the other is used.
func Recognize(k Kind, sentinel error) {
	if !k.means(sentinel) {
		sentinels[k] = append(sentinels[k], sentinel)
	}
}

// means reports whether target is one of k's sentinels.
func (k Kind) means(target error) bool {
	for _, s := range sentinels[k] {
		if target == s {
			return true
		}
	}
	return false
}

// sentinelError is a containerd sentinel that moby returns as a cause: it
// reads as the sentinel does in every errdefs package and answers errors.Is
// for the sentinels of its kind.
type sentinelError struct {
	kind Kind
	text string
}

func (e sentinelError) Error() string        { return e.text }
func (e sentinelError) Is(target error) bool { return e.kind.means(target) }

// The sentinels moby wraps.
var (
	errSentinelNotFound       = sentinelError{NotFound, "not found"}
	errSentinelAlreadyExists  = sentinelError{AlreadyExists, "already exists"}
	errSentinelNotImplemented = sentinelError{NotImplemented, "not implemented"}
)

func invalidParameter(err error) error { return errInvalidParameter{err} }
func notFound(err error) error         { return errNotFound{err} }
func conflict(err error) error         { return errConflict{err} }
func notModified(err error) error      { return errNotModified{err} }
func notImplemented(err error) error   { return errNotImplemented{err} }

// errCanceled and errDeadline are the errors of a call whose context ended
// before HCS answered: errors.Is finds the context's error (which
// containerd's errdefs test), and moby's errdefs reads the duck-typed
// methods.
type errCanceled struct{ error }
type errDeadline struct{ error }

func (errCanceled) Cancelled()        {}
func (errDeadline) DeadlineExceeded() {}

func (e errCanceled) Unwrap() error { return e.error }
func (e errDeadline) Unwrap() error { return e.error }

// fromContext classes err for an engine when its cause is the end of the
// caller's context; other errors are returned as they are.
func fromContext(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return errCanceled{err}
	case errors.Is(err, context.DeadlineExceeded):
		return errDeadline{err}
	}
	return err
}

// endedContext tells whether err is the end of a caller's context.
func endedContext(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
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
