package local

import (
	"errors"

	"github.com/libcontainerd-windows/local/hcs"
)

// MachineHost returns the machine's HCS. It fails until the seam is bound to
// hcsshim on Windows.
func MachineHost() (hcs.Host, error) {
	return nil, notImplemented(errors.New("the binding to the machine's HCS is not built yet: pass WithHost"))
}
