package memhost

import (
	"testing"

	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// The public face says what the implementation does: the same operations,
// states, exit codes and limit.
func TestTheFaceMatchesTheImplementation(t *testing.T) {
	ops := map[Op]hcsfake.Op{
		OpCreateSystem: hcsfake.OpCreateSystem, OpOpenSystem: hcsfake.OpOpenSystem,
		OpNameToGuid: hcsfake.OpNameToGuid, OpPathExists: hcsfake.OpPathExists,
		OpStart: hcsfake.OpStart, OpShutdown: hcsfake.OpShutdown, OpTerminate: hcsfake.OpTerminate,
		OpWait: hcsfake.OpWait, OpWaitTimeout: hcsfake.OpWaitTimeout, OpPause: hcsfake.OpPause,
		OpResume: hcsfake.OpResume, OpStatistics: hcsfake.OpStatistics, OpProcessList: hcsfake.OpProcessList,
		OpCreateProcess: hcsfake.OpCreateProcess, OpClose: hcsfake.OpClose,
		OpProcessKill: hcsfake.OpProcessKill, OpProcessWait: hcsfake.OpProcessWait,
		OpProcessWaitTimeout: hcsfake.OpProcessWaitTimeout, OpProcessExitCode: hcsfake.OpProcessExitCode,
		OpProcessResize: hcsfake.OpProcessResize, OpProcessStdio: hcsfake.OpProcessStdio,
		OpProcessCloseStdin: hcsfake.OpProcessCloseStdin, OpProcessClose: hcsfake.OpProcessClose,
	}
	for face, impl := range ops {
		assert.Equal(t, string(face), string(impl))
	}
	states := map[State]hcsfake.State{
		StateCreated: hcsfake.StateCreated, StateRunning: hcsfake.StateRunning,
		StatePaused: hcsfake.StatePaused, StateStopped: hcsfake.StateStopped,
	}
	for face, impl := range states {
		assert.Equal(t, string(face), string(impl))
	}
	assert.Equal(t, ExitCodeShutdown, hcsfake.ExitCodeShutdown)
	assert.Equal(t, ExitCodeKilled, hcsfake.ExitCodeKilled)
	assert.Equal(t, DefaultTerminateExitCode, hcsfake.DefaultTerminateExitCode)
	assert.Equal(t, MaxCommandLine, hcsfake.MaxCommandLine)
}
