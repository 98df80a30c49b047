//go:build !windows

package types

import (
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
)

// As moby's Linux InterfaceToStats: whatever the platform gives is Metrics.
func TestInterfaceToStats(t *testing.T) {
	now := time.Now()
	metrics := struct{ Pids uint64 }{Pids: 3}
	assert.DeepEqual(t, InterfaceToStats(now, metrics), &Stats{Read: now, Metrics: metrics})
	assert.DeepEqual(t, InterfaceToStats(now, nil), &Stats{Read: now})
}

// Resources is moby's alias on Linux: the daemon's update code sets its
// CPU, Memory, BlockIO and Pids fields.
var _ *specs.LinuxResources = (*Resources)(nil)
