package hcsfake

import (
	"testing"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/hcstest"
)

// The in-memory host keeps the contract of the hcs interfaces.
func TestConformance(t *testing.T) {
	hcstest.Run(t, hcstest.Config{
		Name:         "the in-memory host",
		NewHost:      func(*testing.T) hcs.Host { return New(2, `C:\layers\base\UtilityVM`) },
		System:       func(_ *testing.T, id string) *hcs.ContainerConfig { return document(id, false) },
		HyperVSystem: func(_ *testing.T, id string) *hcs.ContainerConfig { return document(id, true) },
		ExistingPath: `C:\layers\base\UtilityVM`,
	})
}
