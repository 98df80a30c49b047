package local

import (
	cerrdefs "github.com/containerd/errdefs"

	"github.com/libcontainerd-windows/local/internal/core"
)

// The errors' classes answer errors.Is for the sentinels of
// github.com/containerd/errdefs, which moby v28 and v29 and containerd 2
// test (its IsX helpers, which read the classes' duck-typed methods too).
func init() {
	core.Recognize(core.InvalidParameter, cerrdefs.ErrInvalidArgument)
	core.Recognize(core.NotFound, cerrdefs.ErrNotFound)
	core.Recognize(core.Conflict, cerrdefs.ErrConflict)
	core.Recognize(core.NotModified, cerrdefs.ErrNotModified)
	core.Recognize(core.NotImplemented, cerrdefs.ErrNotImplemented)
	core.Recognize(core.AlreadyExists, cerrdefs.ErrAlreadyExists)
}

// UtilityVMNotFoundError is the error for a Hyper-V spec none of whose
// image layers has a UtilityVM folder. Its text is moby's; Paths lists the
// folders looked for, uppermost layer first, so that a tool can tell which
// one would do. It comes with the invalid-parameter class (errors.As finds
// it).
type UtilityVMNotFoundError = core.UtilityVMNotFoundError
