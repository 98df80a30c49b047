//go:build !windows

package local

import (
	"errors"
	"runtime"

	"github.com/libcontainerd-windows/local/hcs"
)

// MachineHost returns the machine's HCS. It fails here: the Host Compute
// Service exists only on Windows.
func MachineHost() (hcs.Host, error) {
	return nil, notImplemented(errors.New("HCS exists only on Windows, not on " + runtime.GOOS + ": pass WithHost to use another host"))
}
