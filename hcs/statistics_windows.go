package hcs

import "github.com/Microsoft/hcsshim"

// On Windows the statistics documents are hcsshim's own types, so that
// types.Stats.HCSStats is moby's *hcsshim.Statistics whichever host
// produced it (statistics.go has the portable copies used elsewhere).
type (
	// Statistics is what HCS reports of a running compute system.
	Statistics = hcsshim.Statistics
	// MemoryStats is the memory part of Statistics.
	MemoryStats = hcsshim.MemoryStats
	// ProcessorStats is the processor part of Statistics.
	ProcessorStats = hcsshim.ProcessorStats
	// StorageStats is the storage part of Statistics.
	StorageStats = hcsshim.StorageStats
	// NetworkStats is the statistics of one network endpoint.
	NetworkStats = hcsshim.NetworkStats
	// ProcessListItem is what HCS reports of one process of a compute system.
	ProcessListItem = hcsshim.ProcessListItem
)
