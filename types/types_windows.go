package types

import (
	"time"

	"github.com/Microsoft/hcsshim"
)

// Stats holds a container's statistics and when they were read.
type Stats struct {
	Read     time.Time
	HCSStats *hcsshim.Statistics
}

// InterfaceToStats returns a Stats from the platform's statistics value, a
// *hcsshim.Statistics on Windows. Unlike moby's it does not panic on nil or
// on another type: HCSStats is then nil.
func InterfaceToStats(read time.Time, v any) *Stats {
	s, _ := v.(*hcsshim.Statistics)
	return &Stats{Read: read, HCSStats: s}
}

// Resources is the set of updatable resources; none are on Windows.
type Resources struct{}

// Checkpoint holds the details of a checkpoint (not supported on Windows).
type Checkpoint struct {
	Name string
}

// Checkpoints contains the details of checkpoints.
type Checkpoints struct {
	Checkpoints []*Checkpoint
}
