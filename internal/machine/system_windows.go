package machine

import (
	"time"

	"github.com/Microsoft/hcsshim"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsblock"
)

// shimSystem adapts an hcsshim.Container to hcsblock.System: the same
// calls, with errors carrying the seam's classes.
type shimSystem struct {
	c hcsshim.Container // Invariants: immutable
}

func (h *shimSystem) Start() error                      { return mapError(h.c.Start()) }
func (h *shimSystem) Shutdown() error                   { return mapError(h.c.Shutdown()) }
func (h *shimSystem) Terminate() error                  { return mapError(h.c.Terminate()) }
func (h *shimSystem) Wait() error                       { return mapError(h.c.Wait()) }
func (h *shimSystem) WaitTimeout(d time.Duration) error { return mapError(h.c.WaitTimeout(d)) }
func (h *shimSystem) Pause() error                      { return mapError(h.c.Pause()) }
func (h *shimSystem) Resume() error                     { return mapError(h.c.Resume()) }
func (h *shimSystem) Close() error                      { return mapError(h.c.Close()) }

// Statistics and ProcessList need no conversion: on Windows the seam's
// statistics types are hcsshim's.
func (h *shimSystem) Statistics() (hcs.Statistics, error) {
	s, err := h.c.Statistics()
	return s, mapError(err)
}

func (h *shimSystem) ProcessList() ([]hcs.ProcessListItem, error) {
	list, err := h.c.ProcessList()
	return list, mapError(err)
}

func (h *shimSystem) CreateProcess(config *hcs.ProcessConfig) (hcsblock.Process, error) {
	p, err := h.c.CreateProcess(toHcsshimProcessConfig(config))
	if err != nil {
		return nil, mapError(err)
	}
	return &shimProcess{p: p}, nil
}

// toHcsshimContainerConfig is the same document in hcsshim's types.
func toHcsshimContainerConfig(c *hcs.ContainerConfig) *hcsshim.ContainerConfig {
	out := &hcsshim.ContainerConfig{
		SystemType:                  c.SystemType,
		Name:                        c.Name,
		Owner:                       c.Owner,
		VolumePath:                  c.VolumePath,
		IgnoreFlushesDuringBoot:     c.IgnoreFlushesDuringBoot,
		LayerFolderPath:             c.LayerFolderPath,
		Credentials:                 c.Credentials,
		ProcessorCount:              c.ProcessorCount,
		ProcessorWeight:             c.ProcessorWeight,
		ProcessorMaximum:            c.ProcessorMaximum,
		StorageIOPSMaximum:          c.StorageIOPSMaximum,
		StorageBandwidthMaximum:     c.StorageBandwidthMaximum,
		StorageSandboxSize:          c.StorageSandboxSize,
		MemoryMaximumInMB:           c.MemoryMaximumInMB,
		HostName:                    c.HostName,
		HvPartition:                 c.HvPartition,
		NetworkSharedContainerName:  c.NetworkSharedContainerName,
		EndpointList:                c.EndpointList,
		Servicing:                   c.Servicing,
		AllowUnqualifiedDNSQuery:    c.AllowUnqualifiedDNSQuery,
		DNSSearchList:               c.DNSSearchList,
		ContainerType:               c.ContainerType,
		TerminateOnLastHandleClosed: c.TerminateOnLastHandleClosed,
	}
	// The parts' types are hcsshim's field for field, so they convert; a
	// field either side lacks is a compile error here, not a setting lost.
	out.Layers = convertEach(c.Layers, func(l hcs.Layer) hcsshim.Layer { return hcsshim.Layer(l) })
	out.MappedDirectories = convertEach(c.MappedDirectories, func(d hcs.MappedDir) hcsshim.MappedDir { return hcsshim.MappedDir(d) })
	out.MappedPipes = convertEach(c.MappedPipes, func(p hcs.MappedPipe) hcsshim.MappedPipe { return hcsshim.MappedPipe(p) })
	out.HvRuntime = (*hcsshim.HvRuntime)(c.HvRuntime)
	out.MappedVirtualDisks = convertEach(c.MappedVirtualDisks, func(d hcs.MappedVirtualDisk) hcsshim.MappedVirtualDisk {
		return hcsshim.MappedVirtualDisk(d)
	})
	out.AssignedDevices = convertEach(c.AssignedDevices, func(d hcs.AssignedDevice) hcsshim.AssignedDevice { return hcsshim.AssignedDevice(d) })
	return out
}

// convertEach is in with conv applied to each element; nil, as hcsshim
// sends an absent list, when in is empty.
func convertEach[From, To any](in []From, conv func(From) To) []To {
	var out []To
	for _, v := range in {
		out = append(out, conv(v))
	}
	return out
}
