package core

import (
	"context"
	"errors"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

func TestDocumentsOwnerOption(t *testing.T) {
	spec := readSpec(t, specsDir+"/process-minimal.json")
	config, _, err := Documents(context.Background(), "c1", spec, goldenHost(), WithOwner("my-engine"))
	assert.NilError(t, err)
	assert.Equal(t, config.Owner, "my-engine")
}

// Errors of the host are not the spec's fault: they pass through unclassified.
func TestDocumentsHostErrors(t *testing.T) {
	boom := errors.New("vmcompute is unhappy")
	for _, tc := range []struct {
		name  string
		spec  string
		fault hcsfake.Fault
	}{
		{"NameToGuid", "process-minimal", hcsfake.Fault{Op: hcsfake.OpNameToGuid, Err: boom}},
		{"PathExists", "hyperv-minimal", hcsfake.Fault{Op: hcsfake.OpPathExists, Err: boom}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := goldenHost()
			host.Inject(tc.fault)
			_, _, err := Documents(context.Background(), "c1", readSpec(t, specsDir+"/"+tc.spec+".json"), host)
			assert.Check(t, errors.Is(err, boom), "%v", err)
			assert.Check(t, !isInvalidParameter(err))
		})
	}
}

func TestExecProcessConfig(t *testing.T) {
	t.Run("inherits the container's directory", func(t *testing.T) {
		config, err := execProcessConfig(&specs.Process{Args: []string{"cmd"}}, `C:\app`)
		assert.NilError(t, err)
		assert.Equal(t, config.WorkingDirectory, `C:\app`)
		assert.Equal(t, config.CommandLine, "cmd")
		assert.Check(t, config.CreateStdInPipe && config.CreateStdOutPipe && config.CreateStdErrPipe)
		assert.Check(t, !config.EmulateConsole)
	})
	t.Run("its own directory wins", func(t *testing.T) {
		config, err := execProcessConfig(&specs.Process{Cwd: `D:\`}, `C:\app`)
		assert.NilError(t, err)
		assert.Equal(t, config.WorkingDirectory, `D:\`)
	})
	t.Run("console size only with a terminal", func(t *testing.T) {
		size := &specs.Box{Height: 30, Width: 100}
		config, err := execProcessConfig(&specs.Process{ConsoleSize: size}, "")
		assert.NilError(t, err)
		assert.Equal(t, config.ConsoleSize, [2]uint{0, 0})

		config, err = execProcessConfig(&specs.Process{Terminal: true, ConsoleSize: size, User: specs.User{Username: "u"}, Env: []string{"A=B"}}, "")
		assert.NilError(t, err)
		assert.Equal(t, config.ConsoleSize, [2]uint{30, 100})
		assert.Check(t, config.EmulateConsole && !config.CreateStdErrPipe)
		assert.Equal(t, config.User, "u")
		assert.DeepEqual(t, config.Environment, map[string]string{"A": "B"})
	})
	t.Run("a nil process is rejected", func(t *testing.T) {
		_, err := execProcessConfig(nil, "")
		assert.Check(t, isInvalidParameter(err))
	})
}

// The translation never changes the spec it reads.
func TestDocumentsLeaveTheSpecAlone(t *testing.T) {
	for _, file := range goldenSpecs(t) {
		before := readSpec(t, file)
		spec := readSpec(t, file)
		_, _, _ = Documents(context.Background(), "c1", spec, goldenHost())
		assert.DeepEqual(t, spec, before)
	}
}

// The host receives exactly the documents Documents describes.
func TestDocumentsAreWhatTheHostReceives(t *testing.T) {
	host := goldenHost()
	spec := readSpec(t, specsDir+"/process-full.json")
	config, _, err := Documents(context.Background(), "c1", spec, host)
	assert.NilError(t, err)
	_, err = host.CreateSystem(context.Background(), "c1", config)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(host.ContainerConfigs(), []hcs.ContainerConfig{*config}))
}
