package hcs

import (
	"errors"
	"testing"

	"gotest.tools/v3/assert"
)

type detailed struct{ code int }

func (d *detailed) Error() string { return "detailed" }

func TestWithClass(t *testing.T) {
	cause := &detailed{code: 5}
	err := WithClass(ErrBrokenPipe, cause)
	assert.Equal(t, err.Error(), "detailed", "the original text")
	assert.Check(t, errors.Is(err, ErrBrokenPipe))
	assert.Check(t, !errors.Is(err, ErrPending))
	var d *detailed
	assert.Check(t, errors.As(err, &d) && d.code == 5, "the original error stays reachable")
	assert.NilError(t, WithClass(ErrPending, nil))
}
