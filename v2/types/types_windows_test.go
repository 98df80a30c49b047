package types

import (
	"testing"
	"time"

	"github.com/Microsoft/hcsshim"
	wstats "github.com/Microsoft/hcsshim/cmd/containerd-shim-runhcs-v1/stats"
	"google.golang.org/protobuf/types/known/timestamppb"
	"gotest.tools/v3/assert"
)

func TestInterfaceToStats(t *testing.T) {
	now := time.Now()
	s := &hcsshim.Statistics{Uptime100ns: 7}
	assert.DeepEqual(t, InterfaceToStats(now, s), &Stats{Read: now, HCSStats: s})
	// moby v28's panics on nil and on another type; v29's and ours leave
	// HCSStats nil.
	assert.DeepEqual(t, InterfaceToStats(now, "not stats"), &Stats{Read: now})
	assert.DeepEqual(t, InterfaceToStats(now, nil), &Stats{Read: now})
}

// The runhcs shim's statistics, as moby v29 converts them: nanoseconds to
// 100 ns units, timestamps to times; a Linux container's to none.
func TestInterfaceToStatsOfTheShim(t *testing.T) {
	now := time.Now()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	shim := &wstats.Statistics{Container: &wstats.Statistics_Windows{Windows: &wstats.WindowsContainerStatistics{
		Timestamp:          timestamppb.New(at),
		ContainerStartTime: timestamppb.New(at.Add(-time.Hour)),
		UptimeNS:           3600e9,
		Processor:          &wstats.WindowsContainerProcessorStatistics{TotalRuntimeNS: 700, RuntimeUserNS: 500, RuntimeKernelNS: 200},
		Memory:             &wstats.WindowsContainerMemoryStatistics{MemoryUsageCommitBytes: 1, MemoryUsageCommitPeakBytes: 2, MemoryUsagePrivateWorkingSetBytes: 3},
		Storage:            &wstats.WindowsContainerStorageStatistics{ReadCountNormalized: 4, ReadSizeBytes: 5, WriteCountNormalized: 6, WriteSizeBytes: 7},
	}}}
	assert.DeepEqual(t, InterfaceToStats(now, shim), &Stats{Read: now, HCSStats: &hcsshim.Statistics{
		Timestamp:          at,
		ContainerStartTime: at.Add(-time.Hour),
		Uptime100ns:        36e9,
		Processor:          hcsshim.ProcessorStats{TotalRuntime100ns: 7, RuntimeUser100ns: 5, RuntimeKernel100ns: 2},
		Memory:             hcsshim.MemoryStats{UsageCommitBytes: 1, UsageCommitPeakBytes: 2, UsagePrivateWorkingSetBytes: 3},
		Storage:            hcsshim.StorageStats{ReadCountNormalized: 4, ReadSizeBytes: 5, WriteCountNormalized: 6, WriteSizeBytes: 7},
	}})
	assert.DeepEqual(t, InterfaceToStats(now, &wstats.Statistics{}), &Stats{Read: now})
}
