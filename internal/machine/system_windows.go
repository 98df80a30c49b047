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
	for _, l := range c.Layers {
		out.Layers = append(out.Layers, hcsshim.Layer{ID: l.ID, Path: l.Path})
	}
	out.MappedDirectories = toHcsshimMappedDirs(c.MappedDirectories)
	for _, p := range c.MappedPipes {
		out.MappedPipes = append(out.MappedPipes, hcsshim.MappedPipe{HostPath: p.HostPath, ContainerPipeName: p.ContainerPipeName})
	}
	out.HvRuntime = toHcsshimHvRuntime(c.HvRuntime)
	out.MappedVirtualDisks = toHcsshimVirtualDisks(c.MappedVirtualDisks)
	for _, d := range c.AssignedDevices {
		out.AssignedDevices = append(out.AssignedDevices, hcsshim.AssignedDevice{InterfaceClassGUID: d.InterfaceClassGUID})
	}
	return out
}

func toHcsshimMappedDirs(dirs []hcs.MappedDir) []hcsshim.MappedDir {
	var out []hcsshim.MappedDir
	for _, d := range dirs {
		out = append(out, hcsshim.MappedDir{
			HostPath:          d.HostPath,
			ContainerPath:     d.ContainerPath,
			ReadOnly:          d.ReadOnly,
			BandwidthMaximum:  d.BandwidthMaximum,
			IOPSMaximum:       d.IOPSMaximum,
			CreateInUtilityVM: d.CreateInUtilityVM,
			LinuxMetadata:     d.LinuxMetadata,
		})
	}
	return out
}

func toHcsshimHvRuntime(r *hcs.HvRuntime) *hcsshim.HvRuntime {
	if r == nil {
		return nil
	}
	return &hcsshim.HvRuntime{
		ImagePath:           r.ImagePath,
		SkipTemplate:        r.SkipTemplate,
		LinuxInitrdFile:     r.LinuxInitrdFile,
		LinuxKernelFile:     r.LinuxKernelFile,
		LinuxBootParameters: r.LinuxBootParameters,
		BootSource:          r.BootSource,
		WritableBootSource:  r.WritableBootSource,
	}
}

func toHcsshimVirtualDisks(disks []hcs.MappedVirtualDisk) []hcsshim.MappedVirtualDisk {
	var out []hcsshim.MappedVirtualDisk
	for _, d := range disks {
		out = append(out, hcsshim.MappedVirtualDisk{
			HostPath:          d.HostPath,
			ContainerPath:     d.ContainerPath,
			CreateInUtilityVM: d.CreateInUtilityVM,
			ReadOnly:          d.ReadOnly,
			Cache:             d.Cache,
			AttachOnly:        d.AttachOnly,
		})
	}
	return out
}
