package machine

import (
	"errors"
	"io"
	"time"

	"github.com/Microsoft/hcsshim"
	"golang.org/x/sys/windows"

	"github.com/libcontainerd-windows/local/hcs"
)

// shimProcess adapts an hcsshim.Process to hcsblock.Process.
type shimProcess struct {
	p hcsshim.Process // Invariants: immutable
}

func (h *shimProcess) Pid() int                          { return h.p.Pid() }
func (h *shimProcess) Kill() error                       { return mapError(h.p.Kill()) }
func (h *shimProcess) Wait() error                       { return mapError(h.p.Wait()) }
func (h *shimProcess) WaitTimeout(d time.Duration) error { return mapError(h.p.WaitTimeout(d)) }
func (h *shimProcess) CloseStdin() error                 { return mapError(h.p.CloseStdin()) }
func (h *shimProcess) Close() error                      { return mapError(h.p.Close()) }

func (h *shimProcess) ExitCode() (int, error) {
	code, err := h.p.ExitCode()
	return code, mapError(err)
}

func (h *shimProcess) ResizeConsole(width, height uint16) error {
	return mapError(h.p.ResizeConsole(width, height))
}

func (h *shimProcess) Stdio() (io.WriteCloser, io.ReadCloser, io.ReadCloser, error) {
	stdin, stdout, stderr, err := h.p.Stdio()
	return stdin, stdout, stderr, mapError(err)
}

// mapError marks an hcsshim error with the seam's classes, keeping the error
// itself (its text, and errors.As to *hcsshim.ProcessError and the like).
// hcsshim's own predicates decide, as moby uses them; an error may have
// several classes (ERROR_NOT_FOUND is both not exist and already stopped).
func mapError(err error) error {
	if err == nil {
		return nil
	}
	mapped := err
	for _, c := range []struct {
		is    func(error) bool
		class error
	}{
		{hcsshim.IsPending, hcs.ErrPending},
		{hcsshim.IsAlreadyStopped, hcs.ErrAlreadyStopped},
		{hcsshim.IsNotExist, hcs.ErrNotExist},
		{hcsshim.IsAlreadyClosed, hcs.ErrAlreadyClosed},
		{isHandleClose, hcs.ErrAlreadyClosed},
		{hcsshim.IsTimeout, hcs.ErrTimeout},
		{hcsshim.IsOperationInvalidState, hcs.ErrInvalidState},
		{isBrokenPipe, hcs.ErrBrokenPipe},
	} {
		if c.is(err) {
			mapped = hcs.WithClass(c.class, mapped)
		}
	}
	return mapped
}

// isBrokenPipe tells whether HCS's error under err is ERROR_BROKEN_PIPE,
// which is what a wait on a process whose system went away gets.
func isBrokenPipe(err error) bool {
	return errors.Is(InnerError(err), windows.ERROR_BROKEN_PIPE)
}

// isHandleClose tells whether a wait ended because its handle was closed:
// hcsshim answers ErrHandleClose rather than ErrAlreadyClosed when the
// Close's unregistering of the notifications wins the race with its own
// record of the Close. Either is the seam's already closed.
func isHandleClose(err error) bool {
	return errors.Is(InnerError(err), hcsshim.ErrHandleClose)
}

// InnerError is HCS's error under hcsshim's ProcessError or ContainerError.
func InnerError(err error) error {
	var perr *hcsshim.ProcessError
	if errors.As(err, &perr) {
		err = perr.Err
	}
	var cerr *hcsshim.ContainerError
	if errors.As(err, &cerr) {
		err = cerr.Err
	}
	return err
}

// toHcsshimProcessConfig is a copy of the document in hcsshim's type,
// which is the seam's field for field: a field either side lacks is a
// compile error here.
func toHcsshimProcessConfig(c *hcs.ProcessConfig) *hcsshim.ProcessConfig {
	out := hcsshim.ProcessConfig(*c)
	return &out
}
