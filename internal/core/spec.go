package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
)

// defaultOwner tells HCS which management stack created a compute system;
// moby hard-codes "docker". WithOwner changes it.
const defaultOwner = "docker"

// volumeGUIDPattern is moby's pattern for a process-isolated container's
// Root.Path. moby computes the match and ignores it; we enforce it, so we
// accept exactly what it matches: `\\?\Volume{GUID}\`, with the opening brace
// optional and one or two closing braces.
var volumeGUIDPattern = regexp.MustCompile(`^\\\\\?\\(Volume)\{{0,1}[0-9a-fA-F]{8}\-[0-9a-fA-F]{4}\-[0-9a-fA-F]{4}\-[0-9a-fA-F]{4}\-[0-9a-fA-F]{12}(\}){0,1}\}\\$`)

// pipePrefix marks a mount destination that maps a named pipe.
const pipePrefix = `\\.\pipe\`

// translator turns OCI specs into HCS schema-v1 documents, as moby's
// createWindows and extractResourcesFromSpec do, reading host facts from the
// seam only. Invariants: immutable.
type translator struct {
	host   hcs.Host
	owner  string
	logger *log.Entry
}

// containerConfig returns the document HCS receives to create container id,
// or an invalid-parameter error naming what the spec gets wrong. Errors of
// the host's (NameToGuid, a path lookup) are returned as they are.
func (t translator) containerConfig(ctx context.Context, id string, spec *specs.Spec) (*hcs.ContainerConfig, error) {
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	config := &hcs.ContainerConfig{
		SystemType:              "Container",
		Name:                    id,
		Owner:                   t.owner,
		IgnoreFlushesDuringBoot: spec.Windows.IgnoreFlushesDuringBoot,
		HostName:                spec.Hostname,
		HvPartition:             spec.Windows.HyperV != nil,
	}
	if err := t.setResources(config, spec.Windows.Resources); err != nil {
		return nil, err
	}
	if n := spec.Windows.Network; n != nil {
		config.EndpointList = n.EndpointList
		config.AllowUnqualifiedDNSQuery = n.AllowUnqualifiedDNSQuery
		if n.DNSSearchList != nil {
			config.DNSSearchList = strings.Join(n.DNSSearchList, ",")
		}
		config.NetworkSharedContainerName = n.NetworkSharedContainerName
	}
	// A credential spec that is not a string (a decoded JSON object) is
	// ignored, as moby does.
	if cs, ok := spec.Windows.CredentialSpec.(string); ok {
		config.Credentials = cs
	}
	if err := t.setStorage(ctx, config, spec); err != nil {
		return nil, err
	}
	var err error
	if config.MappedDirectories, config.MappedPipes, err = mappings(spec.Mounts); err != nil {
		return nil, err
	}
	if err := setDevices(config, spec.Windows.Devices); err != nil {
		return nil, err
	}
	return config, nil
}

// checkSpec rejects what moby would dereference while nil, and Linux specs.
func checkSpec(spec *specs.Spec) error {
	switch {
	case spec == nil:
		return invalidSpec("the spec must not be nil")
	case spec.Linux != nil:
		return invalidParameter(errors.New("linux containers are not supported on this platform"))
	case spec.Windows == nil:
		return invalidSpec("Windows must be set")
	case spec.Process == nil:
		return invalidSpec("Process must be set")
	}
	return nil
}

// setResources sets the CPU and memory limits and the storage QoS.
func (t translator) setResources(config *hcs.ContainerConfig, r *specs.WindowsResources) error {
	if r == nil {
		return nil
	}
	if cpu := r.CPU; cpu != nil {
		if cpu.Count != nil {
			// Clamped here rather than when the engine adapts its settings
			// so that the container keeps its request on a larger host.
			count, host := *cpu.Count, uint64(t.host.NumCPU())
			if count > host {
				t.logger.WithField("container", config.Name).Warnf("Changing requested CPUCount of %d to current number of processors, %d", count, host)
				count = host
			}
			config.ProcessorCount = uint32(count)
		}
		if cpu.Shares != nil {
			config.ProcessorWeight = uint64(*cpu.Shares)
		}
		if cpu.Maximum != nil {
			config.ProcessorMaximum = int64(*cpu.Maximum)
		}
	}
	if m := r.Memory; m != nil && m.Limit != nil {
		if *m.Limit > math.MaxInt64 {
			return invalidSpec(fmt.Sprintf("Windows.Resources.Memory.Limit %d is larger than %d", *m.Limit, int64(math.MaxInt64)))
		}
		config.MemoryMaximumInMB = int64(*m.Limit) / 1024 / 1024
	}
	if s := r.Storage; s != nil {
		if s.Bps != nil {
			config.StorageBandwidthMaximum = *s.Bps
		}
		if s.Iops != nil {
			config.StorageIOPSMaximum = *s.Iops
		}
	}
	return nil
}

// setStorage sets the layers, the scratch layer and either the utility VM
// (Hyper-V) or the scratch volume (process isolation).
func (t translator) setStorage(ctx context.Context, config *hcs.ContainerConfig, spec *specs.Spec) error {
	// At least the base image and the writable layer; the writable layer is
	// the last and goes to HCS on its own.
	folders := spec.Windows.LayerFolders
	if len(folders) < 2 {
		return invalidSpec("at least two LayerFolders must be supplied to the runtime")
	}
	for i, folder := range folders {
		// moby would send it; HCS refuses a layer without a path.
		if folder == "" {
			return invalidSpec(fmt.Sprintf("Windows.LayerFolders[%d] must not be empty", i))
		}
	}
	config.LayerFolderPath = folders[len(folders)-1]
	images := folders[:len(folders)-1]

	if config.HvPartition {
		if spec.Windows.HyperV.UtilityVMPath != "" {
			return invalidParameter(errors.New("runtime does not support an explicit utility VM path for Hyper-V containers"))
		}
		uvm, err := t.findUtilityVM(ctx, images)
		if err != nil {
			return err
		}
		config.HvRuntime = &hcs.HvRuntime{ImagePath: uvm}
		if spec.Root == nil {
			return invalidSpec("Root must be set")
		}
		if spec.Root.Path != "" {
			return invalidSpec("Root.Path must be omitted for a Hyper-V container")
		}
	} else {
		if spec.Root == nil {
			return invalidSpec("Root must be set")
		}
		if !volumeGUIDPattern.MatchString(spec.Root.Path) {
			return invalidSpec(fmt.Sprintf(`Root.Path '%s' must be a volume GUID path in the format '\\?\Volume{GUID}\'`, spec.Root.Path))
		}
		// HCS wants the volume path without its trailing backslash.
		config.VolumePath = strings.TrimSuffix(spec.Root.Path, `\`)
	}
	if spec.Root.Readonly {
		return invalidSpec("Root.Readonly must not be set on Windows")
	}

	for _, folder := range images {
		guid, err := t.host.NameToGuid(ctx, winBase(folder))
		if err != nil {
			// moby returns the error as it is; the log names the layer.
			t.logger.WithError(err).WithFields(log.Fields{"container": config.Name, "layer": folder}).Error("NameToGuid failed")
			return err
		}
		config.Layers = append(config.Layers, hcs.Layer{ID: guid, Path: folder})
	}
	return nil
}

// findUtilityVM returns the UtilityVM folder of the uppermost image layer
// that has one.
func (t translator) findUtilityVM(ctx context.Context, images []string) (string, error) {
	var looked []string
	for _, folder := range images {
		uvm := winJoin(folder, "UtilityVM")
		found, err := t.host.PathExists(ctx, uvm)
		if err != nil {
			return "", err
		}
		if found {
			return uvm, nil
		}
		looked = append(looked, uvm)
	}
	return "", invalidParameter(&UtilityVMNotFoundError{Paths: looked})
}

// mappings splits mounts into mapped named pipes (destinations under
// \\.\pipe\) and mapped directories, read-only with an "ro" option. A
// mount with a type is rejected: Windows has only bind mounts.
func mappings(mounts []specs.Mount) ([]hcs.MappedDir, []hcs.MappedPipe, error) {
	var dirs []hcs.MappedDir
	var pipes []hcs.MappedPipe
	for _, m := range mounts {
		if m.Type != "" {
			return nil, nil, invalidSpec(fmt.Sprintf("Mount.Type '%s' must not be set", m.Type))
		}
		if name, ok := strings.CutPrefix(m.Destination, pipePrefix); ok {
			pipes = append(pipes, hcs.MappedPipe{HostPath: m.Source, ContainerPipeName: name})
			continue
		}
		dir := hcs.MappedDir{HostPath: m.Source, ContainerPath: m.Destination}
		for _, o := range m.Options {
			if strings.EqualFold(o, "ro") {
				dir.ReadOnly = true
			}
		}
		dirs = append(dirs, dir)
	}
	return dirs, pipes, nil
}

// setDevices assigns devices named by an interface class GUID to a
// process-isolated container.
func setDevices(config *hcs.ContainerConfig, devices []specs.WindowsDevice) error {
	if len(devices) == 0 {
		return nil
	}
	if config.HvPartition {
		return invalidParameter(errors.New("device assignment is not supported for HyperV containers"))
	}
	for _, d := range devices {
		// Both ID types name an interface class GUID (hcsshim's
		// internal/uvm/virtual_device.go).
		if d.IDType != "class" && d.IDType != "vpci-class-guid" {
			return invalidParameter(fmt.Errorf("device assignment of type '%s' is not supported", d.IDType))
		}
		config.AssignedDevices = append(config.AssignedDevices, hcs.AssignedDevice{InterfaceClassGUID: d.ID})
	}
	return nil
}

// taskProcessConfig returns the document of a container's init process.
// Like moby, it sets the console size whenever the spec has one.
func taskProcessConfig(p *specs.Process) *hcs.ProcessConfig {
	config := processConfig(p, p.Cwd)
	if p.ConsoleSize != nil {
		config.ConsoleSize = [2]uint{p.ConsoleSize.Height, p.ConsoleSize.Width}
	}
	return config
}

// execProcessConfig returns the document of an exec in a container whose
// init process runs in containerCwd, the exec's directory when it has none.
// Like moby, it sets the console size only for a terminal.
func execProcessConfig(p *specs.Process, containerCwd string) (*hcs.ProcessConfig, error) {
	if p == nil {
		return nil, invalidParameter(errors.New("the exec's process spec must not be nil"))
	}
	cwd := p.Cwd
	if cwd == "" {
		cwd = containerCwd
	}
	config := processConfig(p, cwd)
	if p.Terminal && p.ConsoleSize != nil {
		config.ConsoleSize = [2]uint{p.ConsoleSize.Height, p.ConsoleSize.Width}
	}
	return config, nil
}

// processConfig holds what the task's and an exec's documents share. stdin
// and stdout pipes are always created, so that the engine can always log
// output; a terminal emulates a console, which has no separate stderr.
func processConfig(p *specs.Process, cwd string) *hcs.ProcessConfig {
	commandLine := p.CommandLine
	if commandLine == "" {
		commandLine = escapeArgs(p.Args)
	}
	return &hcs.ProcessConfig{
		CommandLine:      commandLine,
		User:             p.User.Username,
		WorkingDirectory: cwd,
		Environment:      environment(p.Env),
		EmulateConsole:   p.Terminal,
		CreateStdInPipe:  true,
		CreateStdOutPipe: true,
		CreateStdErrPipe: !p.Terminal,
	}
}

// environment turns "key=value" entries into the map HCS takes, splitting
// at the first '='; an entry without one is skipped.
func environment(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, e := range env {
		if k, v, ok := strings.Cut(e, "="); ok {
			m[k] = v
		}
	}
	return m
}

// Documents returns the HCS documents a client would send for a container
// created from spec: the compute system's and its init process's. It is the
// translation alone, nothing is created; host answers the host facts
// (NameToGuid, CPU count, paths). Warnings, such as a clamped CPU count, go
// to the context's logger.
func Documents(ctx context.Context, id string, spec *specs.Spec, host hcs.Host, opts ...Option) (*hcs.ContainerConfig, *hcs.ProcessConfig, error) {
	if err := checkHost("Documents", host); err != nil {
		return nil, nil, err
	}
	o := newOptions(opts)
	ctx = orBackground(ctx)
	t := translator{host: host, owner: o.owner, logger: log.G(ctx)}
	config, err := t.containerConfig(ctx, id, spec)
	if err != nil {
		return nil, nil, err
	}
	return config, taskProcessConfig(spec.Process), nil
}
