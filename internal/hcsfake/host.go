// Package hcsfake is an in-memory Host Compute Service implementing the hcs
// seam, faithful enough that the backend cannot tell it from the real one:
// compute systems with HCS's states and answers, processes with real stdio
// pipes running a tiny scripted command set, asynchronous shutdown and
// termination, statistics, restore of systems created by an earlier client,
// and fault injection into every operation. It records every document it
// receives.
//
// The HCS facts it keeps are those of hcsshim's legacy (v1) API; see the
// comments where each is implemented. Like hcsshim's, its calls block until
// they are answered and a handle's Close waits for the calls in flight on
// it; Host is that made the seam by hcsblock, as the machine's binding is.
package hcsfake

import (
	"context"
	"crypto/sha1" //nolint:gosec // a name-based UUID, as RFC 4122 version 5
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsblock"
)

// Exit codes Windows reports.
const (
	// ExitCodeShutdown is what a process ended by a graceful shutdown
	// reports: STATUS_CONTROL_C_EXIT, 0xC000013A, the status of a process
	// ended by a console control event (ntstatus.h; it is the exit code
	// docker shows for a Windows container after `docker stop`).
	ExitCodeShutdown = 0xC000013A
	// DefaultTerminateExitCode is what processes ended by Terminate report
	// unless Host.SetTerminateExitCode says otherwise: HCS's, the same as
	// a graceful shutdown's (the HCS emulator ends them alike; a
	// termination by Service Fabric reports it too, azure-docs#77504).
	DefaultTerminateExitCode = ExitCodeShutdown
	// ExitCodeKilled is what a process ended by Process.Kill reports: HCS
	// calls TerminateProcess with exit code 1.
	ExitCodeKilled = 1
)

// ErrAlreadyExists is the raw error of creating a system whose id is taken
// (HCS_E_SYSTEM_ALREADY_EXISTS); the seam has no class for it.
var ErrAlreadyExists = errors.New("hcsfake: a compute system with this id already exists")

// The seam's classes, with the text HCS gives them.
var (
	errPending        = hcs.WithClass(hcs.ErrPending, errors.New("the operation is pending"))
	errAlreadyStopped = hcs.WithClass(hcs.ErrAlreadyStopped, errors.New("the compute system or process has already stopped"))
	errNotExist       = hcs.WithClass(hcs.ErrNotExist, errors.New("a compute system or process with this id does not exist"))
	errAlreadyClosed  = hcs.WithClass(hcs.ErrAlreadyClosed, errors.New("the handle has already been closed"))
	errInvalidState   = hcs.WithClass(hcs.ErrInvalidState, errors.New("the requested operation is not valid in the current state"))
	errTimeout        = hcs.WithClass(hcs.ErrTimeout, errors.New("the operation timed out"))
)

// Host is an in-memory HCS. The zero value is not ready; use New.
type Host struct {
	mu sync.Mutex
	// Everything below is guarded by mu, the one lock of the fake.
	cpus          int
	paths         map[string]bool // lower-cased: Windows paths ignore case
	systems       map[string]*system
	nextPid       int
	terminateCode int
	faults        map[string][]armedFault // by the id they target; "" for any
	faultSeq      uint64
	calls         map[Op]int
	refused       map[Op]int
	containerDocs []hcs.ContainerConfig
	processDocs   map[string][]hcs.ProcessConfig
	handles       int // open handles of systems and processes
	// changed is broadcast whenever a call starts, a handle closes, a
	// process exits or a system stops, for the Await methods.
	changed sync.Cond

	// seam is the host as the seam: the calls below, wrapped by hcsblock
	// as the machine's binding is. Invariants: immutable.
	seam hcs.Host
}

var _ hcs.Host = (*Host)(nil)

// blocking is the host's calls as hcsshim makes them: each returns when
// the host answers, and a handle's Close waits for the calls in flight on
// it.
type blocking struct{ h *Host }

func (b blocking) CreateSystem(id string, config *hcs.ContainerConfig) (hcsblock.System, error) {
	return b.h.createSystem(id, config)
}
func (b blocking) OpenSystem(id string) (hcsblock.System, error) { return b.h.openSystem(id) }
func (b blocking) NameToGuid(name string) (string, error)        { return b.h.nameToGuid(name) }
func (b blocking) NumCPU() int                                   { return b.h.NumCPU() }
func (b blocking) PathExists(path string) (bool, error)          { return b.h.pathExists(path) }

// CreateSystem implements hcs.Host: the system is created, not started.
func (h *Host) CreateSystem(ctx context.Context, id string, config *hcs.ContainerConfig) (hcs.System, error) {
	return h.seam.CreateSystem(ctx, id, config)
}

// OpenSystem implements hcs.Host: a system created earlier, by this
// client or an earlier one, that has not gone away.
func (h *Host) OpenSystem(ctx context.Context, id string) (hcs.System, error) {
	return h.seam.OpenSystem(ctx, id)
}

// NameToGuid implements hcs.Host (see nameToGuid).
func (h *Host) NameToGuid(ctx context.Context, name string) (string, error) {
	return h.seam.NameToGuid(ctx, name)
}

// PathExists implements hcs.Host.
func (h *Host) PathExists(ctx context.Context, path string) (bool, error) {
	return h.seam.PathExists(ctx, path)
}

// New returns an empty host with cpus processors and the given existing
// Windows paths (for the backend's UtilityVM lookup).
func New(cpus int, paths ...string) *Host {
	h := &Host{
		cpus:          cpus,
		paths:         make(map[string]bool),
		systems:       make(map[string]*system),
		nextPid:       1000,
		terminateCode: DefaultTerminateExitCode,
		faults:        make(map[string][]armedFault),
		calls:         make(map[Op]int),
		refused:       make(map[Op]int),
		processDocs:   make(map[string][]hcs.ProcessConfig),
	}
	h.changed.L = &h.mu
	h.seam = hcsblock.Wrap(blocking{h})
	for _, p := range paths {
		h.AddPath(p)
	}
	return h
}

// AddPath makes a Windows path exist on the host.
func (h *Host) AddPath(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paths[strings.ToLower(path)] = true
}

// SetTerminateExitCode sets the exit code of processes ended by Terminate.
func (h *Host) SetTerminateExitCode(code int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.terminateCode = code
}

// NumCPU implements hcs.Host.
func (h *Host) NumCPU() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cpus
}

func (h *Host) pathExists(path string) (bool, error) {
	f, err := h.enter(OpPathExists, path, 0)
	if err != nil {
		return false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.paths[strings.ToLower(path)], f.after(nil)
}

// nameToGuid is HCS's NameToGuid. The real algorithm lives in vmcompute.dll
// and is not public; this stand-in derives a version-5 UUID from the name
// with SHA-1 in a namespace of its own, so it is deterministic and has the
// real results' form (a real pair, for comparison: "4" gives
// bd9c3ef9-f239-59b5-a27e-15c523b1d149).
func (h *Host) nameToGuid(name string) (string, error) {
	f, err := h.enter(OpNameToGuid, name, 0)
	if err != nil {
		return "", err
	}
	namespace := [16]byte{0x6c, 0x69, 0x62, 0x63, 0x6f, 0x6e, 0x74, 0x61, 0x69, 0x6e, 0x65, 0x72, 0x64, 0x2d, 0x77, 0x69}
	sum := sha1.Sum(append(namespace[:], name...)) //nolint:gosec // not for security
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	hex.Encode(b[9:13], u[4:6])
	hex.Encode(b[14:18], u[6:8])
	hex.Encode(b[19:23], u[8:10])
	hex.Encode(b[24:36], u[10:16])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:]), f.after(nil)
}

// createSystem creates a system, not started.
func (h *Host) createSystem(id string, config *hcs.ContainerConfig) (hcsblock.System, error) {
	f, err := h.enterOpening(OpCreateSystem, id)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.containerDocs = append(h.containerDocs, *config)
	if err := h.checkContainerConfig(id, config); err != nil {
		return nil, fmt.Errorf("create %s: %w", id, err)
	}
	if _, taken := h.systems[id]; taken {
		return nil, fmt.Errorf("create %s: %w", id, ErrAlreadyExists)
	}
	s := &system{
		host:    h,
		id:      id,
		config:  *config,
		state:   StateCreated,
		stopped: make(chan struct{}),
	}
	h.systems[id] = s
	if f.failsLate() {
		// Never started and never held, it stops at once and goes.
		s.stopNow(h.terminateCode)
		return nil, f.Err
	}
	return s.open(), nil
}

// openSystem opens a system created earlier that has not gone away.
func (h *Host) openSystem(id string) (hcsblock.System, error) {
	f, err := h.enterOpening(OpOpenSystem, id)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.systems[id]
	switch {
	case !ok:
		return nil, fmt.Errorf("open %s: %w", id, errNotExist)
	case f.failsLate():
		return nil, f.Err // the handle it opened is closed again
	}
	return s.open(), nil
}

// ErrInvalidDocument is the raw error of a document HCS would refuse
// (HCS_E_INVALID_JSON and kin); the seam has no class for it.
var ErrInvalidDocument = errors.New("hcsfake: the document is not valid for HCS")

// checkContainerConfig refuses what HCS refuses of a schema-v1 container
// document, as far as the backend can get it wrong. h.mu must be held.
func (h *Host) checkContainerConfig(id string, c *hcs.ContainerConfig) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidDocument}, args...)...)
	}
	switch {
	case c.SystemType != "Container":
		return invalid("SystemType %q", c.SystemType)
	case c.Name != id:
		return invalid("Name %q for id %q", c.Name, id)
	case len(c.Layers) == 0:
		return invalid("no Layers")
	case c.LayerFolderPath == "":
		return invalid("no LayerFolderPath")
	case c.HvPartition != (c.HvRuntime != nil):
		return invalid("HvPartition %t with HvRuntime %v", c.HvPartition, c.HvRuntime)
	case c.HvPartition && (c.HvRuntime.ImagePath == "" || c.VolumePath != ""):
		return invalid("Hyper-V with ImagePath %q and VolumePath %q", c.HvRuntime.ImagePath, c.VolumePath)
	case !c.HvPartition && !volumePath.MatchString(c.VolumePath):
		return invalid("VolumePath %q", c.VolumePath)
	case c.HvPartition && len(c.AssignedDevices) > 0:
		return invalid("AssignedDevices with Hyper-V")
	case int(c.ProcessorCount) > h.cpus:
		return invalid("ProcessorCount %d on a host with %d", c.ProcessorCount, h.cpus)
	case c.MemoryMaximumInMB < 0:
		return invalid("MemoryMaximumInMB %d", c.MemoryMaximumInMB)
	}
	for _, l := range c.Layers {
		if !guid.MatchString(l.ID) || l.Path == "" {
			return invalid("Layer %+v", l)
		}
	}
	return nil
}

var (
	volumePath = regexp.MustCompile(`^\\\\\?\\Volume\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}{1,2}$`)
	guid       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// ContainerConfigs returns the container documents received, in order.
func (h *Host) ContainerConfigs() []hcs.ContainerConfig {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hcs.ContainerConfig(nil), h.containerDocs...)
}

// ProcessConfigs returns the process documents received for system id, in
// order.
func (h *Host) ProcessConfigs(id string) []hcs.ProcessConfig {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hcs.ProcessConfig(nil), h.processDocs[id]...)
}

// State is the state of a compute system.
type State string

// The states of a compute system.
const (
	StateCreated State = "created"
	StateRunning State = "running"
	StatePaused  State = "paused"
	StateStopped State = "stopped"
)

// State returns the state of system id; false when the host has no such
// system (never created, or stopped with every handle closed).
func (h *Host) State(id string) (State, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.systems[id]
	if !ok {
		return "", false
	}
	return s.state, true
}

// Systems returns the ids of the systems the host holds.
func (h *Host) Systems() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]string, 0, len(h.systems))
	for id := range h.systems {
		ids = append(ids, id)
	}
	return ids
}

// OpenHandles returns how many handles are open on systems and processes,
// a measure of what a client leaks.
func (h *Host) OpenHandles() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.handles
}

// AwaitOpenHandles blocks until at most n handles are open, for tests that
// wait for a client to release what it holds in the background.
func (h *Host) AwaitOpenHandles(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.handles > n {
		h.changed.Wait()
	}
}

// AwaitGone blocks until the host holds no system id: never created, or
// stopped with every handle closed.
func (h *Host) AwaitGone(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.systems[id] != nil {
		h.changed.Wait()
	}
}

// ConsoleSize reports the console size of process pid of system id, as the
// last ResizeConsole set it.
func (h *Host) ConsoleSize(id string, pid int) (width, height uint16, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, found := h.systems[id]
	if !found {
		return 0, 0, false
	}
	for _, p := range s.processes {
		if p.pid == pid {
			return p.width, p.height, true
		}
	}
	return 0, 0, false
}

// now is the clock of the fake, one place to change if tests ever need to.
func now() time.Time { return time.Now() }
