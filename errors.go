package local

import (
	ctrderrdefs "github.com/containerd/containerd/errdefs"
	cerrdefs "github.com/containerd/errdefs"

	"github.com/libcontainerd-windows/local/internal/core"
)

// The errors' classes answer errors.Is for containerd 1.7's own errdefs
// sentinels too, which moby v26 tests (containerd/containerd/errdefs.IsX):
// they are values of their own up to containerd v1.7.18 (moby v26.1.3 pins
// v1.7.16), which has no conflict or not-modified sentinel, and aliases of
// github.com/containerd/errdefs from v1.7.19 on.
func init() {
	for _, s := range []struct{ sentinel, alias error }{
		{cerrdefs.ErrInvalidArgument, ctrderrdefs.ErrInvalidArgument},
		{cerrdefs.ErrNotFound, ctrderrdefs.ErrNotFound},
		{cerrdefs.ErrAlreadyExists, ctrderrdefs.ErrAlreadyExists},
		{cerrdefs.ErrNotImplemented, ctrderrdefs.ErrNotImplemented},
	} {
		core.AliasSentinel(s.sentinel, s.alias)
	}
}

// UtilityVMNotFoundError is the error for a Hyper-V spec none of whose
// image layers has a UtilityVM folder. Its text is moby's; Paths lists the
// folders looked for, uppermost layer first, so that a tool can tell which
// one would do. It comes with the invalid-parameter class (errors.As finds
// it).
type UtilityVMNotFoundError = core.UtilityVMNotFoundError
