// Package hcsblock turns a binding of HCS whose calls block until HCS
// answers, as hcsshim's legacy (v1) API does, into the hcs seam, whose
// callers stop waiting when their context ends.
//
// hcsshim cannot abandon a call HCS never answers, and its Close waits for
// every call in flight on the handle (it takes the handle's lock for
// writing). Wrap keeps both from reaching the caller: a call whose caller's
// context can end runs in a goroutine of its own, so that the caller returns
// when the context ends while the call goes on; its late answer is handled
// here (a handle returned late released, an error logged). Close marks the
// handle closed at once and, while calls are in flight on it, leaves the
// binding's Close to the last of them to return.
//
// The binding of the machine (package machine) and the in-memory host
// (package hcsfake) are both wrapped, so that one implementation of the
// context clauses serves both, and the conformance suite checks it on each.
package hcsblock

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/containerd/log"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/putoff"
)

// Host is hcs.Host without contexts: each call returns when HCS answers.
type Host interface {
	CreateSystem(id string, config *hcs.ContainerConfig) (System, error)
	OpenSystem(id string) (System, error)
	NameToGuid(name string) (string, error)
	NumCPU() int
	PathExists(path string) (bool, error)
}

// System is hcs.System without contexts. Its Close may wait for the calls
// in flight on the handle, as hcsshim's does.
type System interface {
	Start() error
	Shutdown() error
	Terminate() error
	Wait() error
	WaitTimeout(d time.Duration) error
	Pause() error
	Resume() error
	Statistics() (hcs.Statistics, error)
	ProcessList() ([]hcs.ProcessListItem, error)
	CreateProcess(config *hcs.ProcessConfig) (Process, error)
	Close() error
}

// Process is hcs.Process without contexts. Its Close may wait for the
// calls in flight on the handle, as hcsshim's does.
type Process interface {
	Pid() int
	Kill() error
	Wait() error
	WaitTimeout(d time.Duration) error
	ExitCode() (int, error)
	ResizeConsole(width, height uint16) error
	Stdio() (stdin io.WriteCloser, stdout, stderr io.ReadCloser, err error)
	CloseStdin() error
	Close() error
}

// Wrap returns b as the hcs seam. Wrap b once: the releases of handles it
// puts off are known to the host it returns, whose CreateSystem and
// OpenSystem wait for them.
func Wrap(b Host) hcs.Host { return &host{b: b} }

type host struct {
	b Host // Invariants: immutable
	// releases counts the releases of handles put off (a Close deferred
	// behind calls in flight, a Close or a late answer's release that
	// goes on after its caller stopped waiting), which CreateSystem and
	// OpenSystem of their id wait for.
	releases putoff.Releases
}

func (h *host) NumCPU() int { return h.b.NumCPU() }

func (h *host) CreateSystem(ctx context.Context, id string, config *hcs.ContainerConfig) (hcs.System, error) {
	return h.system(ctx, id, "CreateSystem", func() (System, error) { return h.b.CreateSystem(id, config) },
		func(logger *log.Entry, s System) {
			// Nobody knows of the system: it is ended rather than left
			// to hold its id and its resources.
			logIf(logger, "Terminate", s.Terminate())
			logIf(logger, "Close", s.Close())
		})
}

func (h *host) OpenSystem(ctx context.Context, id string) (hcs.System, error) {
	return h.system(ctx, id, "OpenSystem", func() (System, error) { return h.b.OpenSystem(id) },
		func(logger *log.Entry, s System) { logIf(logger, "Close", s.Close()) })
}

// system makes call, a CreateSystem or OpenSystem of id, once the releases
// of id's handles that were put off ended, and returns the
// handle it answers. A handle answered after the caller stopped waiting is
// given to release, itself a release of id put off.
func (h *host) system(ctx context.Context, id, op string, call func() (System, error), release func(*log.Entry, System)) (hcs.System, error) {
	if err := h.releases.Wait(ctx, id); err != nil {
		return nil, abandoned(op, err)
	}
	track := putOff(func() func() { return h.releases.Begin(id) })
	s, err := await(ctx, nil, op, call, release, track)
	if s == nil {
		return nil, err
	}
	return &system{b: s, gate: gate{track: track}}, err
}

func (h *host) NameToGuid(ctx context.Context, name string) (string, error) {
	return await(ctx, nil, "NameToGuid", func() (string, error) { return h.b.NameToGuid(name) }, nil, nil)
}

func (h *host) PathExists(ctx context.Context, path string) (bool, error) {
	return await(ctx, nil, "PathExists", func() (bool, error) { return h.b.PathExists(path) }, nil, nil)
}

// system is a handle on a compute system, its calls counted by its gate.
type system struct {
	b    System // Invariants: immutable
	gate gate
}

func (s *system) Start(ctx context.Context) error { return do(ctx, &s.gate, "Start", s.b.Start) }
func (s *system) Shutdown(ctx context.Context) error {
	return do(ctx, &s.gate, "Shutdown", s.b.Shutdown)
}
func (s *system) Terminate(ctx context.Context) error {
	return do(ctx, &s.gate, "Terminate", s.b.Terminate)
}
func (s *system) Pause(ctx context.Context) error  { return do(ctx, &s.gate, "Pause", s.b.Pause) }
func (s *system) Resume(ctx context.Context) error { return do(ctx, &s.gate, "Resume", s.b.Resume) }

// Wait and WaitTimeout hold no lock of the binding's (hcsshim waits on a
// channel), so they are not counted: a Close ends them instead.
func (s *system) Wait(ctx context.Context) error { return do(ctx, nil, "Wait", s.b.Wait) }

func (s *system) WaitTimeout(ctx context.Context, d time.Duration) error {
	return do(ctx, nil, "WaitTimeout", func() error { return s.b.WaitTimeout(d) })
}

func (s *system) Statistics(ctx context.Context) (hcs.Statistics, error) {
	return await(ctx, &s.gate, "Statistics", s.b.Statistics, nil, nil)
}

func (s *system) ProcessList(ctx context.Context) ([]hcs.ProcessListItem, error) {
	return await(ctx, &s.gate, "ProcessList", s.b.ProcessList, nil, nil)
}

func (s *system) CreateProcess(ctx context.Context, config *hcs.ProcessConfig) (hcs.Process, error) {
	p, err := await(ctx, &s.gate, "CreateProcess", func() (Process, error) { return s.b.CreateProcess(config) },
		func(logger *log.Entry, p Process) {
			// Nobody will read its output or wait for it.
			logIf(logger, "Kill", p.Kill())
			logIf(logger, "Close", p.Close())
		}, nil)
	if p == nil {
		return nil, err
	}
	return &process{b: p}, err
}

func (s *system) Close(ctx context.Context) error { return s.gate.close(ctx, "Close", s.b.Close) }

// process is a handle on a process, its calls counted by its gate.
type process struct {
	b    Process // Invariants: immutable
	gate gate
}

func (p *process) Pid() int { return p.b.Pid() }

func (p *process) Kill(ctx context.Context) error { return do(ctx, &p.gate, "Process.Kill", p.b.Kill) }

func (p *process) CloseStdin(ctx context.Context) error {
	return do(ctx, &p.gate, "Process.CloseStdin", p.b.CloseStdin)
}

func (p *process) ResizeConsole(ctx context.Context, width, height uint16) error {
	return do(ctx, &p.gate, "Process.ResizeConsole", func() error { return p.b.ResizeConsole(width, height) })
}

func (p *process) Wait(ctx context.Context) error { return do(ctx, nil, "Process.Wait", p.b.Wait) }

func (p *process) WaitTimeout(ctx context.Context, d time.Duration) error {
	return do(ctx, nil, "Process.WaitTimeout", func() error { return p.b.WaitTimeout(d) })
}

func (p *process) ExitCode(ctx context.Context) (int, error) {
	return await(ctx, &p.gate, "Process.ExitCode", p.b.ExitCode, nil, nil)
}

// Stdio asks nothing of HCS; it is counted all the same, since hcsshim
// takes the handle's lock for it.
func (p *process) Stdio() (io.WriteCloser, io.ReadCloser, io.ReadCloser, error) {
	if !p.gate.enter() {
		return nil, nil, nil, errClosed("Process.Stdio")
	}
	defer p.gate.leave()
	return p.b.Stdio()
}

func (p *process) Close(ctx context.Context) error {
	return p.gate.close(ctx, "Process.Close", p.b.Close)
}

// await runs call, a call of the binding, for a caller whose context is
// ctx, counted by g unless g is nil. It returns call's answer, or the
// context's error when the context ends first; release then gets a value
// call returns late without an error (unless release is nil), and a late
// error is logged; track, unless nil, is told of that late handling from
// when the caller stops waiting until it is done. A context that cannot
// end costs no goroutine.
func await[T any](ctx context.Context, g *gate, op string, call func() (T, error), release func(*log.Entry, T), track putOff) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, abandoned(op, err)
	}
	if g != nil {
		if !g.enter() {
			return zero, errClosed(op)
		}
	}
	if ctx.Done() == nil {
		if g != nil {
			defer g.leave()
		}
		return call()
	}
	type answer struct {
		v   T
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		v, err := call()
		if g != nil {
			g.leave()
		}
		answered <- answer{v, err}
	}()
	select {
	case a := <-answered:
		return a.v, a.err
	case <-ctx.Done():
	}
	logger := log.G(ctx).WithField("hcs", op)
	end := track.begin()
	go func() {
		defer end()
		a := <-answered
		switch {
		case a.err != nil:
			logger.WithError(a.err).Warn("HCS answered after its caller stopped waiting")
		case release != nil:
			release(logger, a.v)
		}
	}()
	return zero, abandoned(op, ctx.Err())
}

// abandoned is the error of a call whose caller's context ended.
func abandoned(op string, err error) error {
	return fmt.Errorf("hcs %s: stopped waiting for HCS: %w", op, err)
}

// errClosed is the answer for a handle closed while calls were in flight
// on it, before the binding's handle is.
func errClosed(op string) error {
	return hcs.WithClass(hcs.ErrAlreadyClosed, fmt.Errorf("hcs %s: the handle has already been closed", op))
}

// do is await for a call that answers only an error.
func do(ctx context.Context, g *gate, op string, call func() error) error {
	_, err := await(ctx, g, op, func() (struct{}, error) { return struct{}{}, call() }, nil, nil)
	return err
}

func logIf(logger *log.Entry, op string, err error) {
	if err != nil {
		logger.WithError(err).Warnf("releasing what HCS created late: %s failed", op)
	}
}

// putOff is told of a release of a handle that hcsblock puts off: called
// when the release begins, it returns the function to call once the
// release ended. A nil putOff tracks nothing.
type putOff func() (end func())

// begin is p's begin, or nothing for a nil p.
func (p putOff) begin() (end func()) {
	if p == nil {
		return func() {}
	}
	return p()
}

// gate counts the calls in flight on one handle and holds back the
// binding's Close until they returned.
type gate struct {
	mu       sync.Mutex
	inflight int
	closed   bool
	// deferred is the binding's Close, set while it waits for the calls
	// in flight.
	deferred func()
	// track is told of each run of the binding's Close, from when it is
	// decided until it returned; nil tracks nothing. Invariants: immutable.
	track putOff
}

// enter counts a call in, unless the handle was closed while calls were in
// flight (once the binding's handle is closed too, the binding answers).
func (g *gate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.deferred != nil {
		return false
	}
	g.inflight++
	return true
}

// leave counts a call out; the last one out runs a deferred Close.
func (g *gate) leave() {
	g.mu.Lock()
	g.inflight--
	var run func()
	if g.inflight == 0 {
		run, g.deferred = g.deferred, nil
	}
	g.mu.Unlock()
	if run != nil {
		run()
	}
}

// close closes the handle with closeHandle, the binding's Close: now when
// no call is in flight, after the last of them otherwise, when it answers
// nil and a failure is logged. Unlike other calls, a Close whose context
// already ended is made all the same, without its caller.
func (g *gate) close(ctx context.Context, op string, closeHandle func() error) error {
	g.mu.Lock()
	if g.deferred != nil {
		g.mu.Unlock()
		return nil // closing already
	}
	end := g.track.begin()
	bindingClose := closeHandle
	closeHandle = func() error {
		defer end()
		return bindingClose()
	}
	if !g.closed && g.inflight > 0 {
		g.closed = true
		logger := log.G(ctx).WithField("hcs", op)
		g.deferred = func() {
			if err := closeHandle(); err != nil {
				logger.WithError(err).Warn("closing the handle once its calls returned failed")
			}
		}
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	g.mu.Unlock()
	if err := ctx.Err(); err != nil {
		// A handle is released whatever its closer's context says:
		// nobody else will.
		logger := log.G(ctx).WithField("hcs", op)
		go func() {
			if err := closeHandle(); err != nil {
				logger.WithError(err).Warn("closing the handle after its caller stopped waiting failed")
			}
		}()
		return abandoned(op, err)
	}
	return do(ctx, nil, op, closeHandle)
}
