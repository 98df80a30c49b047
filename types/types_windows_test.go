package types

import (
	"testing"
	"time"

	"github.com/Microsoft/hcsshim"
	"gotest.tools/v3/assert"
)

func TestInterfaceToStats(t *testing.T) {
	now := time.Now()
	s := &hcsshim.Statistics{Uptime100ns: 7}
	assert.DeepEqual(t, InterfaceToStats(now, s), &Stats{Read: now, HCSStats: s})
	// moby's panics on nil and on another type; ours leaves HCSStats nil.
	assert.DeepEqual(t, InterfaceToStats(now, "not stats"), &Stats{Read: now})
	assert.DeepEqual(t, InterfaceToStats(now, nil), &Stats{Read: now})
}
