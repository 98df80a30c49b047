package hcs

import "encoding/json"

// The documents below are HCS schema v1, the JSON the legacy HCS API takes
// and returns. Field names, order, types and JSON tags mirror hcsshim's
// internal/hcs/schema1 so that a document marshalled here is byte for byte
// what hcsshim would send for the same values; the Windows binding converts
// field by field and tests the equivalence.

// ProcessConfig is the document HCS receives to create a process in a
// compute system.
type ProcessConfig struct {
	ApplicationName   string            `json:",omitempty"`
	CommandLine       string            `json:",omitempty"`
	CommandArgs       []string          `json:",omitempty"` // Linux containers on Windows only
	User              string            `json:",omitempty"`
	WorkingDirectory  string            `json:",omitempty"`
	Environment       map[string]string `json:",omitempty"`
	EmulateConsole    bool              `json:",omitempty"`
	CreateStdInPipe   bool              `json:",omitempty"`
	CreateStdOutPipe  bool              `json:",omitempty"`
	CreateStdErrPipe  bool              `json:",omitempty"`
	ConsoleSize       [2]uint           `json:",omitempty"` // (height, width); an array is never omitted
	CreateInUtilityVm bool              `json:",omitempty"` //nolint:revive // HCS's spelling
	OCISpecification  *json.RawMessage  `json:",omitempty"` // Linux containers on Windows only
}

// Layer is a read-only image layer of a container.
type Layer struct {
	ID   string
	Path string
}

// MappedDir is a host directory mapped into a container.
type MappedDir struct {
	HostPath          string
	ContainerPath     string
	ReadOnly          bool
	BandwidthMaximum  uint64
	IOPSMaximum       uint64
	CreateInUtilityVM bool
	LinuxMetadata     bool `json:",omitempty"`
}

// MappedPipe is a host named pipe mapped into a container.
type MappedPipe struct {
	HostPath          string
	ContainerPipeName string
}

// HvRuntime holds the utility VM settings of a Hyper-V container.
type HvRuntime struct {
	ImagePath           string `json:",omitempty"`
	SkipTemplate        bool   `json:",omitempty"`
	LinuxInitrdFile     string `json:",omitempty"`
	LinuxKernelFile     string `json:",omitempty"`
	LinuxBootParameters string `json:",omitempty"`
	BootSource          string `json:",omitempty"`
	WritableBootSource  bool   `json:",omitempty"`
}

// MappedVirtualDisk is a virtual disk mounted into a container at start.
type MappedVirtualDisk struct {
	HostPath          string `json:",omitempty"`
	ContainerPath     string
	CreateInUtilityVM bool   `json:",omitempty"`
	ReadOnly          bool   `json:",omitempty"`
	Cache             string `json:",omitempty"`
	AttachOnly        bool   `json:",omitempty"`
}

// AssignedDevice is a host device, named by its interface class GUID,
// assigned to a process-isolated container.
type AssignedDevice struct {
	InterfaceClassGUID string `json:"InterfaceClassGuid,omitempty"`
}

// ContainerConfig is the document HCS receives to create a compute system.
type ContainerConfig struct {
	SystemType                  string
	Name                        string
	Owner                       string       `json:",omitempty"`
	VolumePath                  string       `json:",omitempty"`
	IgnoreFlushesDuringBoot     bool         `json:",omitempty"`
	LayerFolderPath             string       `json:",omitempty"`
	Layers                      []Layer      // always present, null when empty, as hcsshim sends it
	Credentials                 string       `json:",omitempty"`
	ProcessorCount              uint32       `json:",omitempty"`
	ProcessorWeight             uint64       `json:",omitempty"`
	ProcessorMaximum            int64        `json:",omitempty"`
	StorageIOPSMaximum          uint64       `json:",omitempty"`
	StorageBandwidthMaximum     uint64       `json:",omitempty"`
	StorageSandboxSize          uint64       `json:",omitempty"`
	MemoryMaximumInMB           int64        `json:",omitempty"`
	HostName                    string       `json:",omitempty"`
	MappedDirectories           []MappedDir  `json:",omitempty"`
	MappedPipes                 []MappedPipe `json:",omitempty"`
	HvPartition                 bool
	NetworkSharedContainerName  string              `json:",omitempty"`
	EndpointList                []string            `json:",omitempty"`
	HvRuntime                   *HvRuntime          `json:",omitempty"`
	Servicing                   bool                `json:",omitempty"`
	AllowUnqualifiedDNSQuery    bool                `json:",omitempty"`
	DNSSearchList               string              `json:",omitempty"`
	ContainerType               string              `json:",omitempty"`
	TerminateOnLastHandleClosed bool                `json:",omitempty"`
	MappedVirtualDisks          []MappedVirtualDisk `json:",omitempty"`
	AssignedDevices             []AssignedDevice    `json:",omitempty"`
}
