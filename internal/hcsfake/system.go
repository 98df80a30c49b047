package hcsfake

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf16"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsblock"
)

// system is a compute system. Its fields are guarded by host.mu.
type system struct {
	host      *Host
	id        string // Invariants: immutable
	config    hcs.ContainerConfig
	state     State
	stopping  bool // a shutdown or termination is under way
	started   time.Time
	processes []*process
	handles   int           // open handles; the system goes away once stopped with none
	stopped   chan struct{} // closed when state becomes StateStopped
}

// open returns a new handle on s. host.mu must be held.
func (s *system) open() *systemHandle {
	s.handles++
	s.host.handles++
	return &systemHandle{handle: handle{host: s.host, id: s.id}, sys: s}
}

func (s *system) ended() bool { return s.state == StateStopped }

func (s *system) ending() <-chan struct{} { return s.stopped }

func (s *system) released() {
	s.handles--
	s.removeIfGone()
}

// systemHandle is one handle on a system (the host's seam wraps it).
type systemHandle struct {
	handle
	sys *system // Invariants: immutable
}

var _ hcsblock.System = (*systemHandle)(nil)

// Start starts a created system. Like HCS it never answers pending.
func (c *systemHandle) Start() error {
	return c.locked(OpStart, func(f *Fault) error {
		switch c.sys.state {
		case StateCreated:
			c.sys.state = StateRunning
			c.sys.started = now()
			return f.after(nil)
		case StateStopped:
			return c.fail(OpStart, errAlreadyStopped)
		default:
			return c.fail(OpStart, errInvalidState)
		}
	})
}

// Shutdown asks the system to stop gracefully: its processes end with
// STATUS_CONTROL_C_EXIT. Like HCS's legacy API it answers pending on
// success, even when the system already stopped, and the stop completes
// asynchronously.
func (c *systemHandle) Shutdown() error {
	return c.stop(OpShutdown, ExitCodeShutdown)
}

// Terminate stops the system at once; its processes end with the host's
// terminate exit code. It answers pending, as Shutdown does.
func (c *systemHandle) Terminate() error {
	return c.stop(OpTerminate, -1)
}

func (c *systemHandle) stop(op Op, code int) error {
	return c.locked(op, func(f *Fault) error {
		s := c.sys
		if code == -1 {
			code = s.host.terminateCode
		}
		if s.state != StateStopped && !s.stopping {
			s.stopping = true
			go s.finishStop(code)
		}
		return f.after(c.fail(op, errPending))
	})
}

// finishStop ends the system's processes and marks it stopped, as HCS does
// after answering pending.
func (s *system) finishStop(code int) {
	h := s.host
	h.mu.Lock()
	defer h.mu.Unlock()
	s.stopNow(code)
}

// stopNow ends the system's processes with code and marks it stopped; a
// system with no handle open goes. host.mu must be held.
func (s *system) stopNow(code int) {
	h := s.host
	for _, p := range s.processes {
		p.exit(code)
	}
	s.state = StateStopped
	s.stopping = false
	close(s.stopped)
	s.removeIfGone()
	h.changed.Broadcast()
}

// removeIfGone drops a stopped system that has no open handle. host.mu
// must be held.
func (s *system) removeIfGone() {
	if s.state == StateStopped && s.handles == 0 && s.host.systems[s.id] == s {
		delete(s.host.systems, s.id)
	}
}

// Wait blocks until the system stopped.
func (c *systemHandle) Wait() error { return c.wait(OpWait, c.sys, forever) }

// WaitTimeout blocks until the system stopped or d passed.
func (c *systemHandle) WaitTimeout(d time.Duration) error { return c.wait(OpWaitTimeout, c.sys, d) }

// Pause suspends a running Hyper-V container; process-isolated containers
// cannot be paused.
func (c *systemHandle) Pause() error {
	return c.transition(OpPause, StateRunning, StatePaused)
}

// Resume resumes a paused Hyper-V container.
func (c *systemHandle) Resume() error {
	return c.transition(OpResume, StatePaused, StateRunning)
}

func (c *systemHandle) transition(op Op, from, to State) error {
	return c.locked(op, func(f *Fault) error {
		s := c.sys
		switch {
		case s.state == StateStopped:
			return c.fail(op, errAlreadyStopped)
		case !s.config.HvPartition || s.state != from || s.stopping:
			return c.fail(op, errInvalidState)
		}
		s.state = to
		return f.after(nil)
	})
}

// Statistics reports the running system, its figures derived from its
// running processes.
func (c *systemHandle) Statistics() (stats hcs.Statistics, err error) {
	err = c.locked(OpStatistics, func(f *Fault) error {
		if err := c.checkStarted(OpStatistics); err != nil {
			return err
		}
		stats = c.sys.statistics(now())
		return f.after(nil)
	})
	return stats, err
}

// statistics is the figures of the system at t. host.mu must be held.
func (s *system) statistics(t time.Time) hcs.Statistics {
	stats := hcs.Statistics{
		Timestamp:          t,
		ContainerStartTime: s.started,
		Uptime100ns:        uint64(t.Sub(s.started) / 100),
	}
	for _, p := range s.processes {
		if p.exited {
			continue
		}
		stats.Memory.UsageCommitBytes += processCommitBytes
		stats.Memory.UsageCommitPeakBytes += processCommitBytes
		stats.Memory.UsagePrivateWorkingSetBytes += processWorkingSetBytes
		stats.Processor.TotalRuntime100ns += uint64(t.Sub(p.created) / 100)
		stats.Processor.RuntimeUser100ns += uint64(t.Sub(p.created) / 100)
	}
	return stats
}

// What each running process of the fake is said to use.
const (
	processCommitBytes     = 8 << 20
	processWorkingSetBytes = 4 << 20
)

// ProcessList reports the system's running processes.
func (c *systemHandle) ProcessList() (list []hcs.ProcessListItem, err error) {
	err = c.locked(OpProcessList, func(f *Fault) error {
		if err := c.checkStarted(OpProcessList); err != nil {
			return err
		}
		for _, p := range c.sys.processes {
			if p.exited {
				continue
			}
			list = append(list, hcs.ProcessListItem{
				CreateTimestamp:              p.created,
				ImageName:                    p.image,
				MemoryCommitBytes:            processCommitBytes,
				MemoryWorkingSetPrivateBytes: processWorkingSetBytes,
				ProcessId:                    uint32(p.pid),
			})
		}
		return f.after(nil)
	})
	return list, err
}

// checkStarted answers for a system that is not running or paused.
// host.mu must be held.
func (c *systemHandle) checkStarted(op Op) error {
	switch c.sys.state {
	case StateStopped:
		return c.fail(op, errAlreadyStopped)
	case StateCreated:
		return c.fail(op, errInvalidState)
	}
	return nil
}

// CreateProcess starts a process in the running system.
func (c *systemHandle) CreateProcess(config *hcs.ProcessConfig) (ph hcsblock.Process, err error) {
	err = c.locked(OpCreateProcess, func(f *Fault) error {
		if f != nil && f.Pending {
			return c.fail(OpCreateProcess, errPending)
		}
		s := c.sys
		h := s.host
		h.processDocs[s.id] = append(h.processDocs[s.id], *config)
		if err := c.checkStarted(OpCreateProcess); err != nil {
			return err
		}
		if s.state != StateRunning || s.stopping {
			return c.fail(OpCreateProcess, errInvalidState)
		}
		if n := len(utf16.Encode([]rune(config.CommandLine))); n > MaxCommandLine {
			return fmt.Errorf("create process: the command line has %d UTF-16 units, Windows takes %d: %w", n, MaxCommandLine, ErrCommandLineTooLong)
		}
		h.nextPid += 4 // Windows pids are multiples of four
		p := newProcess(s, h.nextPid, config)
		s.processes = append(s.processes, p)
		if f.failsLate() {
			p.exit(ExitCodeKilled) // and its handle closed: none is given
			return f.Err
		}
		ph = p.open()
		return nil
	})
	return ph, err
}

// MaxCommandLine is the longest command line Windows' CreateProcess takes,
// in UTF-16 code units, its terminating NUL excluded.
const MaxCommandLine = 32766

// ErrCommandLineTooLong is the raw error of a process whose command line is
// longer than MaxCommandLine (ERROR_FILENAME_EXCED_RANGE in the guest).
var ErrCommandLineTooLong = errors.New("hcsfake: the filename or extension is too long")

// Close releases the handle once the calls in flight on it returned.
// Closing twice is not an error, as in hcsshim.
func (c *systemHandle) Close() error { return c.close(OpClose, c.sys) }
