package types

import (
	"testing"

	"gotest.tools/v3/assert"
)

// The event names are moby's, which engines compare against.
func TestEventStrings(t *testing.T) {
	assert.DeepEqual(t, []EventType{EventUnknown, EventExit, EventOOM, EventCreate, EventStart, EventExecAdded, EventExecStarted, EventPaused, EventResumed},
		[]EventType{"unknown", "exit", "oom", "create", "start", "exec-added", "exec-started", "paused", "resumed"})
}
