package local

import (
	ctrderrdefs "github.com/containerd/containerd/errdefs"

	"github.com/libcontainerd-windows/local/internal/core"
)

// The errors' classes answer errors.Is for the sentinels of containerd
// 1.7's errdefs package, which moby v26 and v27 test (its IsX helpers).
// They are values of their own up to containerd v1.7.16, which moby v26.1.3
// pins, and aliases of github.com/containerd/errdefs from v1.7.17 on (of
// its v0.1.0 until v1.7.22, of v0.3.0, which also reads the classes'
// duck-typed methods, from v1.7.23). containerd 1.7.16 has no conflict or
// not-modified sentinel; those classes are recognised by their methods.
func init() {
	core.Recognize(core.InvalidParameter, ctrderrdefs.ErrInvalidArgument)
	core.Recognize(core.NotFound, ctrderrdefs.ErrNotFound)
	core.Recognize(core.NotImplemented, ctrderrdefs.ErrNotImplemented)
	core.Recognize(core.AlreadyExists, ctrderrdefs.ErrAlreadyExists)
}

// UtilityVMNotFoundError is the error for a Hyper-V spec none of whose
// image layers has a UtilityVM folder. Its text is moby's; Paths lists the
// folders looked for, uppermost layer first, so that a tool can tell which
// one would do. It comes with the invalid-parameter class (errors.As finds
// it).
type UtilityVMNotFoundError = core.UtilityVMNotFoundError
