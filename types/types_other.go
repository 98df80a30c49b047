//go:build !windows

package types

import (
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Stats holds a container's statistics and when they were read.
type Stats struct {
	Read time.Time
	// Metrics is the platform's statistics value: containerd's cgroup
	// metrics for moby's Linux backend; the *hcs.Statistics of the host
	// for this library's backend, which runs here against a host other
	// than the machine's HCS.
	Metrics any
}

// InterfaceToStats returns a Stats holding the platform's statistics value.
func InterfaceToStats(read time.Time, v any) *Stats {
	return &Stats{Read: read, Metrics: v}
}

// Resources is the set of updatable resources.
type Resources = specs.LinuxResources

// Checkpoints contains the details of checkpoints.
type Checkpoints struct{}
