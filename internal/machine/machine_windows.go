package machine

import (
	"errors"
	"math/bits"
	"os"
	"runtime"
	"unsafe"

	"github.com/Microsoft/hcsshim"
	"golang.org/x/sys/windows"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsblock"
)

// Host returns the machine's HCS, through hcsshim's legacy (v1) API: one
// host for the whole process, so that every client's CreateSystem waits for
// the releases the others put off (see hcsblock.Wrap).
func Host() (hcs.Host, error) {
	return theMachine, nil
}

var theMachine = hcsblock.Wrap(machine{})

// machine is the real HCS, its calls blocking as hcsshim's do; hcsblock
// makes it the seam.
type machine struct{}

func (machine) CreateSystem(id string, config *hcs.ContainerConfig) (hcsblock.System, error) {
	c, err := hcsshim.CreateContainer(id, toHcsshimContainerConfig(config))
	if err != nil {
		return nil, mapError(err)
	}
	return &shimSystem{c: c}, nil
}

func (machine) OpenSystem(id string) (hcsblock.System, error) {
	c, err := hcsshim.OpenContainer(id)
	if err != nil {
		return nil, mapError(err)
	}
	return &shimSystem{c: c}, nil
}

func (machine) NameToGuid(name string) (string, error) {
	g, err := hcsshim.NameToGuid(name)
	if err != nil {
		return "", err
	}
	return g.ToString(), nil
}

// NumCPU counts the processors in the process's affinity mask, as moby's
// sysinfo.NumCPU does, so that a daemon confined to some processors clamps
// containers to those; runtime.NumCPU when the mask cannot be read.
func (machine) NumCPU() int {
	var mask, system uintptr
	ok, _, _ := procGetProcessAffinityMask.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&mask)), uintptr(unsafe.Pointer(&system)))
	if ok != 0 {
		if n := bits.OnesCount64(uint64(mask)); n > 0 {
			return n
		}
	}
	return runtime.NumCPU()
}

var procGetProcessAffinityMask = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetProcessAffinityMask")

func (machine) PathExists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, err
}
