package local

import (
	"context"
	"fmt"
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/hcstest"
)

// The emulator tests run the real binding, through hcsshim's own code,
// against the HCS emulator (test/hcsemu, vmcompute.dll) that
// .ci/wine/run-tests puts in the Wine prefix, saying so with
// LCW_HCS_EMULATOR=1. On a real Windows host they skip: its HCS is the
// integration tests' business.
func emulator(t *testing.T) hcs.Host {
	t.Helper()
	if os.Getenv("LCW_HCS_EMULATOR") != "1" {
		t.Skip("LCW_HCS_EMULATOR is not 1: no HCS emulator (test/hcsemu) under this Wine")
	}
	host, err := MachineHost()
	assert.NilError(t, err)
	return host
}

// emulatorLayers are the layer folders of the emulator's specs; the base
// layer has a Utility VM, for Hyper-V specs.
var emulatorLayers = []string{`C:\hcsemu\layers\base`, `C:\hcsemu\layers\sandbox`}

func emulatorSpec(t *testing.T, hyperV bool, commandLine string) *specs.Spec {
	t.Helper()
	s := &specs.Spec{
		Process: &specs.Process{CommandLine: commandLine, Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: emulatorLayers},
	}
	if hyperV {
		s.Root = &specs.Root{}
		s.Windows.HyperV = &specs.WindowsHyperV{}
	}
	return s
}

// helperCommand is the command line that runs this test binary as a helper
// process (see TestMain).
func helperCommand(t *testing.T, what string) string {
	exe, err := os.Executable()
	assert.NilError(t, err)
	return fmt.Sprintf(`"%s" -lcw.helper=%s`, exe, what)
}

// The real binding keeps the contract of the seam against the emulator.
func TestEmulatorConformance(t *testing.T) {
	host := emulator(t)
	assert.NilError(t, os.MkdirAll(emulatorLayers[0]+`\UtilityVM`, 0o755))
	document := func(hyperV bool) func(t *testing.T, id string) *hcs.ContainerConfig {
		return func(t *testing.T, id string) *hcs.ContainerConfig {
			config, _, err := Documents(context.Background(), id, emulatorSpec(t, hyperV, "cmd"), host)
			assert.NilError(t, err)
			return config
		}
	}
	hcstest.Run(t, hcstest.Config{
		Name:         "hcsshim and the HCS emulator under Wine",
		NewHost:      func(*testing.T) hcs.Host { return host },
		System:       document(false),
		HyperVSystem: document(true),
		ExistingPath: emulatorLayers[0] + `\UtilityVM`,
		Commands: hcstest.Commands{
			Long: helperCommand(t, "sleep"),
			Cat:  helperCommand(t, "cat"),
		},
	})
}
