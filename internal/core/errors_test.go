package core

import (
	"errors"
	"slices"
	"testing"

	ctrderrdefs "github.com/containerd/containerd/errdefs"
	cerrdefs "github.com/containerd/errdefs"
	"gotest.tools/v3/assert"
)

// Every class answers moby's duck-typed check and errors.Is for the
// sentinels of both containerd errdefs packages, at the floor (containerd
// v1.7.16, whose package has its own sentinels and no conflict or
// not-modified ones) and at the newest 1.7.x (whose package aliases
// github.com/containerd/errdefs, so that its conflict and not-modified are
// the ones checked here). The IsX helpers of both packages agree.
func TestErrorClasses(t *testing.T) {
	cause := errors.New("cause")
	for _, tc := range []struct {
		name     string
		err      error
		moby     func(error) bool
		errdefs  []error
		errdefsF func(error) bool
		ctrd     []error // empty where containerd v1.7.16 has no sentinel
		ctrdF    func(error) bool
	}{
		{"invalid parameter", invalidParameter(cause), mobyClass[mobyInvalidParameter],
			[]error{cerrdefs.ErrInvalidArgument}, cerrdefs.IsInvalidArgument,
			[]error{ctrderrdefs.ErrInvalidArgument}, ctrderrdefs.IsInvalidArgument},
		{"not found", notFound(cause), mobyClass[mobyNotFound],
			[]error{cerrdefs.ErrNotFound}, cerrdefs.IsNotFound,
			[]error{ctrderrdefs.ErrNotFound}, ctrderrdefs.IsNotFound},
		{"conflict", conflict(cause), mobyClass[mobyConflict],
			[]error{cerrdefs.ErrConflict}, cerrdefs.IsConflict, nil, nil},
		{"not modified", notModified(cause), mobyClass[mobyNotModified],
			[]error{cerrdefs.ErrNotModified}, cerrdefs.IsNotModified, nil, nil},
		{"not implemented", notImplemented(cause), mobyClass[mobyNotImplemented],
			[]error{cerrdefs.ErrNotImplemented}, cerrdefs.IsNotImplemented,
			[]error{ctrderrdefs.ErrNotImplemented}, ctrderrdefs.IsNotImplemented},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Check(t, tc.moby(tc.err), "moby's errdefs")
			assert.Check(t, tc.errdefsF(tc.err), "github.com/containerd/errdefs's helper")
			for _, s := range tc.errdefs {
				assert.Check(t, errors.Is(tc.err, s), "github.com/containerd/errdefs: %v", s)
			}
			if tc.ctrdF != nil {
				assert.Check(t, tc.ctrdF(tc.err), "github.com/containerd/containerd/errdefs's helper")
			}
			for _, s := range tc.ctrd {
				assert.Check(t, errors.Is(tc.err, s), "github.com/containerd/containerd/errdefs: %v", s)
			}
			// The text and the chain are the cause's.
			assert.Equal(t, tc.err.Error(), "cause")
			assert.Check(t, errors.Is(tc.err, cause))
			// No other class is claimed.
			for _, other := range []error{cerrdefs.ErrInvalidArgument, cerrdefs.ErrNotFound, cerrdefs.ErrConflict, cerrdefs.ErrNotModified, cerrdefs.ErrNotImplemented, ctrderrdefs.ErrAlreadyExists} {
				if !slices.Contains(tc.errdefs, other) {
					assert.Check(t, !errors.Is(tc.err, other), "claims %v", other)
				}
			}
		})
	}
}

// moby's errors that wrap a containerd sentinel wrap containerd's own
// package's, which is the one moby's daemon tests against.
func TestMobySentinelsAreKept(t *testing.T) {
	e := newEnv(t)
	ctr := e.create("c1", spec(t, "cmd"))
	_, err := ctr.Task(e.ctx)
	assert.Check(t, ctrderrdefs.IsNotFound(err) && cerrdefs.IsNotFound(err) && mobyClass[mobyNotFound](err))
	assert.Error(t, err, "not found")
	assert.NilError(t, ctr.Delete(e.ctx))
}
