package core

import (
	"errors"
	"testing"

	"gotest.tools/v3/assert"
)

// Every class answers moby's duck-typed check and errors.Is for the
// sentinels a front recognises for it, and for no other; its text and chain
// are its cause's. (Each front's tests check its own errdefs packages.)
func TestErrorClasses(t *testing.T) {
	defer func(saved [kinds][]error) { sentinels = saved }(sentinels)
	var recognised [kinds]error
	for k := Kind(0); k < kinds; k++ {
		recognised[k] = errors.New("sentinel")
		Recognize(k, recognised[k])
		Recognize(k, recognised[k]) // once is enough
		assert.Equal(t, len(sentinels[k]), 1)
	}
	cause := errors.New("cause")
	for _, tc := range []struct {
		name string
		kind Kind
		err  error
		moby func(error) bool
	}{
		{"invalid parameter", InvalidParameter, invalidParameter(cause), isInvalidParameter},
		{"not found", NotFound, notFound(cause), isNotFound},
		{"conflict", Conflict, conflict(cause), isConflict},
		{"not modified", NotModified, notModified(cause), isNotModified},
		{"not implemented", NotImplemented, notImplemented(cause), isNotImplemented},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Check(t, tc.moby(tc.err), "moby's errdefs")
			assert.Equal(t, tc.err.Error(), "cause")
			assert.Check(t, errors.Is(tc.err, cause))
			for k, s := range recognised {
				assert.Check(t, errors.Is(tc.err, s) == (Kind(k) == tc.kind), "kind %d", k)
			}
		})
	}
}

// A sentinel moby wraps reads as containerd's does and answers errors.Is
// for its kind's sentinels, beneath a class of another kind.
func TestWrappedSentinels(t *testing.T) {
	defer func(saved [kinds][]error) { sentinels = saved }(sentinels)
	exists, notImpl := errors.New("already exists"), errors.New("not implemented")
	Recognize(AlreadyExists, exists)
	Recognize(NotImplemented, notImpl)

	err := notModified(errSentinelAlreadyExists)
	assert.Error(t, err, "already exists")
	assert.Check(t, errors.Is(err, exists) && !errors.Is(err, notImpl))
	assert.Check(t, isNotModified(err))

	err = notFound(errSentinelNotImplemented)
	assert.Error(t, err, "not implemented")
	assert.Check(t, errors.Is(err, notImpl) && isNotFound(err) && !isNotImplemented(err))
	assert.Error(t, errSentinelNotFound, "not found")
}
