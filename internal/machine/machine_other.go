//go:build !windows

// Package machine binds the hcs seam to the machine's Host Compute Service
// through hcsshim's legacy (v1) API. It holds only the binding: hcsshim's
// calls in the seam's types, and its errors marked with the seam's classes.
package machine

import (
	"errors"
	"runtime"

	"github.com/libcontainerd-windows/local/hcs"
)

// Host returns the machine's HCS. It fails here: the Host Compute Service
// exists only on Windows.
func Host() (hcs.Host, error) {
	return nil, errors.New("HCS exists only on Windows, not on " + runtime.GOOS + ": pass WithHost to use another host")
}
