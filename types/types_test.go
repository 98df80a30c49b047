package types

import (
	"testing"
	"time"

	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
)

func TestInterfaceToStats(t *testing.T) {
	now := time.Now()
	s := &hcs.Statistics{Uptime100ns: 7}
	assert.DeepEqual(t, InterfaceToStats(now, s), &Stats{Read: now, HCSStats: s})
	// moby panics on another type; this leaves HCSStats nil.
	assert.DeepEqual(t, InterfaceToStats(now, "not stats"), &Stats{Read: now})
}

// The event names are moby's, which engines compare against.
func TestEventStrings(t *testing.T) {
	assert.DeepEqual(t, []EventType{EventUnknown, EventExit, EventOOM, EventCreate, EventStart, EventExecAdded, EventExecStarted, EventPaused, EventResumed},
		[]EventType{"unknown", "exit", "oom", "create", "start", "exec-added", "exec-started", "paused", "resumed"})
}
