package hcsfake

import (
	"io"
	"time"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsblock"
)

// process is a process in a system. Its fields are guarded by host.mu.
type process struct {
	sys     *system // Invariants: immutable
	pid     int     // Invariants: immutable
	image   string  // Invariants: immutable
	created time.Time
	console bool
	width   uint16
	height  uint16

	// The process's ends of its stdio; nil when not asked for.
	stdin          *pipe
	stdout, stderr *pipe

	exited   bool
	exitCode int
	done     chan struct{} // closed when exited becomes true
	handles  int
}

func newProcess(s *system, pid int, config *hcs.ProcessConfig) *process {
	p := &process{
		sys:     s,
		pid:     pid,
		image:   imageName(config.CommandLine),
		created: now(),
		console: config.EmulateConsole,
		done:    make(chan struct{}),
	}
	if config.CreateStdInPipe {
		p.stdin = newPipe()
	}
	if config.CreateStdOutPipe {
		p.stdout = newPipe()
	}
	if config.CreateStdErrPipe {
		p.stderr = newPipe()
	}
	go p.runScript(parseScript(config.CommandLine))
	return p
}

// runScript executes the process's script, then ends the process unless
// something else (Kill, a stop of its system) ended it first.
func (p *process) runScript(steps []step) {
	code := 0
script:
	for _, st := range steps {
		switch st.kind {
		case stepEcho:
			p.print(p.stdout, st.text)
		case stepEchoErr:
			out := p.stderr
			if out == nil {
				out = p.stdout
			}
			p.print(out, st.text)
		case stepExit:
			code = st.code
			break script
		case stepCat:
			if p.stdin != nil && p.stdout != nil {
				_, _ = io.Copy(pipeWriter{p.stdout}, pipeReader{p.stdin})
			}
		case stepRun:
			<-p.done
			return
		}
	}
	h := p.sys.host
	h.mu.Lock()
	defer h.mu.Unlock()
	p.exit(code)
}

func (p *process) print(out *pipe, text string) {
	if out != nil {
		_, _ = out.write([]byte(text + "\n"))
	}
}

// exit ends the process with code unless it already ended. host.mu must be
// held.
func (p *process) exit(code int) {
	if p.exited {
		return
	}
	p.exited = true
	p.exitCode = code
	for _, out := range []*pipe{p.stdout, p.stderr} {
		if out != nil {
			out.closeWrite()
		}
	}
	if p.stdin != nil {
		p.stdin.closeRead()
	}
	close(p.done)
	p.sys.host.changed.Broadcast()
}

// open returns a new handle on p. host.mu must be held.
func (p *process) open() *processHandle {
	p.handles++
	p.sys.host.handles++
	return &processHandle{handle: handle{host: p.sys.host, id: p.sys.id, pid: p.pid}, proc: p}
}

func (p *process) ended() bool { return p.exited }

func (p *process) ending() <-chan struct{} { return p.done }

func (p *process) released() { p.handles-- }

// processHandle is one handle on a process.
type processHandle struct {
	handle
	proc *process // Invariants: immutable
}

var _ hcsblock.Process = (*processHandle)(nil)

// Pid is the process id; it needs no call to HCS and always answers.
func (ph *processHandle) Pid() int { return ph.proc.pid }

// Kill ends the process with ExitCodeKilled. HCS answers already stopped
// for a process that exited.
func (ph *processHandle) Kill() error {
	return ph.locked(OpProcessKill, func(f *Fault) error {
		if ph.proc.exited {
			return ph.fail(OpProcessKill, errAlreadyStopped)
		}
		ph.proc.exit(ExitCodeKilled)
		return f.after(nil)
	})
}

// Wait blocks until the process exited.
func (ph *processHandle) Wait() error { return ph.wait(OpProcessWait, ph.proc, forever) }

// WaitTimeout blocks until the process exited or d passed.
func (ph *processHandle) WaitTimeout(d time.Duration) error {
	return ph.wait(OpProcessWaitTimeout, ph.proc, d)
}

// ExitCode is the exit code of an exited process.
func (ph *processHandle) ExitCode() (int, error) {
	code := -1
	err := ph.locked(OpProcessExitCode, func(f *Fault) error {
		if !ph.proc.exited {
			return ph.fail(OpProcessExitCode, errInvalidState)
		}
		code = ph.proc.exitCode
		return f.after(nil)
	})
	return code, err
}

// ResizeConsole resizes the console of a process that emulates one.
func (ph *processHandle) ResizeConsole(width, height uint16) error {
	return ph.locked(OpProcessResize, func(f *Fault) error {
		switch {
		case ph.proc.exited:
			return ph.fail(OpProcessResize, errAlreadyStopped)
		case !ph.proc.console:
			return ph.fail(OpProcessResize, errInvalidState)
		}
		ph.proc.width, ph.proc.height = width, height
		return f.after(nil)
	})
}

// Stdio returns the client's ends of the pipes the process was created
// with; a pipe not asked for is nil.
func (ph *processHandle) Stdio() (stdin io.WriteCloser, stdout, stderr io.ReadCloser, err error) {
	err = ph.locked(OpProcessStdio, func(f *Fault) error {
		if p := ph.proc.stdin; p != nil {
			stdin = pipeWriter{p}
		}
		if p := ph.proc.stdout; p != nil {
			stdout = pipeReader{p}
		}
		if p := ph.proc.stderr; p != nil {
			stderr = pipeReader{p}
		}
		return f.after(nil)
	})
	return stdin, stdout, stderr, err
}

// CloseStdin signals the end of input. While its system shuts down, HCS
// answers invalid state.
func (ph *processHandle) CloseStdin() error {
	return ph.locked(OpProcessCloseStdin, func(f *Fault) error {
		if ph.proc.sys.stopping || ph.proc.sys.state == StateStopped {
			return ph.fail(OpProcessCloseStdin, errInvalidState)
		}
		if ph.proc.stdin != nil {
			ph.proc.stdin.closeWrite()
		}
		return f.after(nil)
	})
}

// Close releases the handle once the calls in flight on it returned.
// Closing twice is not an error, as in hcsshim.
func (ph *processHandle) Close() error { return ph.close(OpProcessClose, ph.proc) }
