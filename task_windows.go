package local

import (
	"github.com/Microsoft/hcsshim"

	"github.com/libcontainerd-windows/local/hcs"
)

// fromHcsshimStatistics is hcsshim's statistics in the seam's types.
func fromHcsshimStatistics(s hcsshim.Statistics) hcs.Statistics {
	out := hcs.Statistics{
		Timestamp:          s.Timestamp,
		ContainerStartTime: s.ContainerStartTime,
		Uptime100ns:        s.Uptime100ns,
		Memory: hcs.MemoryStats{
			UsageCommitBytes:            s.Memory.UsageCommitBytes,
			UsageCommitPeakBytes:        s.Memory.UsageCommitPeakBytes,
			UsagePrivateWorkingSetBytes: s.Memory.UsagePrivateWorkingSetBytes,
		},
		Processor: hcs.ProcessorStats{
			TotalRuntime100ns:  s.Processor.TotalRuntime100ns,
			RuntimeUser100ns:   s.Processor.RuntimeUser100ns,
			RuntimeKernel100ns: s.Processor.RuntimeKernel100ns,
		},
		Storage: hcs.StorageStats{
			ReadCountNormalized:  s.Storage.ReadCountNormalized,
			ReadSizeBytes:        s.Storage.ReadSizeBytes,
			WriteCountNormalized: s.Storage.WriteCountNormalized,
			WriteSizeBytes:       s.Storage.WriteSizeBytes,
		},
	}
	for _, n := range s.Network {
		out.Network = append(out.Network, hcs.NetworkStats{
			BytesReceived:          n.BytesReceived,
			BytesSent:              n.BytesSent,
			PacketsReceived:        n.PacketsReceived,
			PacketsSent:            n.PacketsSent,
			DroppedPacketsIncoming: n.DroppedPacketsIncoming,
			DroppedPacketsOutgoing: n.DroppedPacketsOutgoing,
			EndpointId:             n.EndpointId,
			InstanceId:             n.InstanceId,
		})
	}
	return out
}

// fromHcsshimProcessList is hcsshim's process list in the seam's types.
func fromHcsshimProcessList(list []hcsshim.ProcessListItem) []hcs.ProcessListItem {
	out := make([]hcs.ProcessListItem, len(list))
	for i, p := range list {
		out[i] = hcs.ProcessListItem{
			CreateTimestamp:              p.CreateTimestamp,
			ImageName:                    p.ImageName,
			KernelTime100ns:              p.KernelTime100ns,
			MemoryCommitBytes:            p.MemoryCommitBytes,
			MemoryWorkingSetPrivateBytes: p.MemoryWorkingSetPrivateBytes,
			MemoryWorkingSetSharedBytes:  p.MemoryWorkingSetSharedBytes,
			ProcessId:                    p.ProcessId,
			UserTime100ns:                p.UserTime100ns,
		}
	}
	return out
}
