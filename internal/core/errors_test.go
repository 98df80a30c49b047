package core

import (
	"errors"
	"slices"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// Every class answers moby's duck-typed check and errors.Is for the
// sentinel of github.com/containerd/errdefs, and its IsX helper agrees.
// (The front of moby v26 adds containerd 1.7's own sentinels, and tests
// them.)
func TestErrorClasses(t *testing.T) {
	cause := errors.New("cause")
	for _, tc := range []struct {
		name     string
		err      error
		moby     func(error) bool
		errdefs  []error
		errdefsF func(error) bool
	}{
		{"invalid parameter", invalidParameter(cause), mobyClass[mobyInvalidParameter],
			[]error{cerrdefs.ErrInvalidArgument}, cerrdefs.IsInvalidArgument},
		{"not found", notFound(cause), mobyClass[mobyNotFound],
			[]error{cerrdefs.ErrNotFound}, cerrdefs.IsNotFound},
		{"conflict", conflict(cause), mobyClass[mobyConflict],
			[]error{cerrdefs.ErrConflict}, cerrdefs.IsConflict},
		{"not modified", notModified(cause), mobyClass[mobyNotModified],
			[]error{cerrdefs.ErrNotModified}, cerrdefs.IsNotModified},
		{"not implemented", notImplemented(cause), mobyClass[mobyNotImplemented],
			[]error{cerrdefs.ErrNotImplemented}, cerrdefs.IsNotImplemented},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Check(t, tc.moby(tc.err), "moby's errdefs")
			assert.Check(t, tc.errdefsF(tc.err), "github.com/containerd/errdefs's helper")
			for _, s := range tc.errdefs {
				assert.Check(t, errors.Is(tc.err, s), "github.com/containerd/errdefs: %v", s)
			}
			// The text and the chain are the cause's.
			assert.Equal(t, tc.err.Error(), "cause")
			assert.Check(t, errors.Is(tc.err, cause))
			// No other class is claimed.
			for _, other := range []error{cerrdefs.ErrInvalidArgument, cerrdefs.ErrNotFound, cerrdefs.ErrConflict, cerrdefs.ErrNotModified, cerrdefs.ErrNotImplemented, cerrdefs.ErrAlreadyExists} {
				if !slices.Contains(tc.errdefs, other) {
					assert.Check(t, !errors.Is(tc.err, other), "claims %v", other)
				}
			}
		})
	}
}

// A sentinel moby wraps reads as itself and answers errors.Is for its
// aliases, as a class does.
func TestAliasedSentinels(t *testing.T) {
	alias := errors.New("already exists")
	saved := aliases
	t.Cleanup(func() { aliases = saved })
	aliases = map[error][]error{}
	AliasSentinel(cerrdefs.ErrAlreadyExists, alias)
	AliasSentinel(cerrdefs.ErrNotFound, cerrdefs.ErrNotFound) // no-op: the same value

	err := notModified(wrapSentinel(cerrdefs.ErrAlreadyExists))
	assert.Error(t, err, "already exists")
	assert.Check(t, errors.Is(err, alias) && errors.Is(err, cerrdefs.ErrAlreadyExists))
	assert.Check(t, cerrdefs.IsNotModified(err) && mobyClass[mobyNotModified](err))
	assert.Check(t, !errors.Is(notFound(cause()), alias))
	assert.Check(t, is.Len(aliases[cerrdefs.ErrNotFound], 0))
}

func cause() error { return errors.New("cause") }
