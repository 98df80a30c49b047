package types

import (
	"time"

	"github.com/Microsoft/hcsshim"
	wstats "github.com/Microsoft/hcsshim/cmd/containerd-shim-runhcs-v1/stats"
)

// Stats holds a container's statistics and when they were read.
type Stats struct {
	Read     time.Time
	HCSStats *hcsshim.Statistics
}

// InterfaceToStats returns a Stats from the platform's statistics value:
// the *hcsshim.Statistics of this backend, or, as moby v29's does, the
// runhcs shim's *stats.Statistics in hcsshim's shape. Like v29's, and
// unlike v28's, it does not panic on nil or on another type: HCSStats is
// then nil.
func InterfaceToStats(read time.Time, v any) *Stats {
	switch s := v.(type) {
	case *hcsshim.Statistics:
		return &Stats{Read: read, HCSStats: s}
	case *wstats.Statistics:
		return &Stats{Read: read, HCSStats: fromShim(s)}
	}
	return &Stats{Read: read}
}

// fromShim is the shim's statistics of a Windows container in hcsshim's
// type, nil for others. The shim counts time in nanoseconds, hcsshim in
// 100 ns units.
func fromShim(s *wstats.Statistics) *hcsshim.Statistics {
	w := s.GetWindows()
	if w == nil {
		return nil
	}
	const per100ns = 100
	out := &hcsshim.Statistics{Uptime100ns: w.GetUptimeNS() / per100ns}
	if t := w.GetTimestamp(); t != nil {
		out.Timestamp = t.AsTime()
	}
	if t := w.GetContainerStartTime(); t != nil {
		out.ContainerStartTime = t.AsTime()
	}
	if p := w.GetProcessor(); p != nil {
		out.Processor = hcsshim.ProcessorStats{
			TotalRuntime100ns:  p.GetTotalRuntimeNS() / per100ns,
			RuntimeUser100ns:   p.GetRuntimeUserNS() / per100ns,
			RuntimeKernel100ns: p.GetRuntimeKernelNS() / per100ns,
		}
	}
	if m := w.GetMemory(); m != nil {
		out.Memory = hcsshim.MemoryStats{
			UsageCommitBytes:            m.GetMemoryUsageCommitBytes(),
			UsageCommitPeakBytes:        m.GetMemoryUsageCommitPeakBytes(),
			UsagePrivateWorkingSetBytes: m.GetMemoryUsagePrivateWorkingSetBytes(),
		}
	}
	if st := w.GetStorage(); st != nil {
		out.Storage = hcsshim.StorageStats{
			ReadCountNormalized:  st.GetReadCountNormalized(),
			ReadSizeBytes:        st.GetReadSizeBytes(),
			WriteCountNormalized: st.GetWriteCountNormalized(),
			WriteSizeBytes:       st.GetWriteSizeBytes(),
		}
	}
	return out
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
