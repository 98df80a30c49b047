package core

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/libcontainerd-windows/local/hcs"
)

// stdioOf is a process's pipes as moby hands them to the engine: stdin
// whose Close also tells HCS that input ended, and stdout and stderr that
// close themselves once they fail or end, since the engine only reads them.
func stdioOf(p hcs.Process, terminal bool) (Stdio, error) {
	stdin, stdout, stderr, err := p.Stdio()
	if err != nil {
		return Stdio{}, err
	}
	var in io.WriteCloser
	if stdin != nil {
		in = &stdinCloser{WriteCloser: stdin, process: p}
	}
	var out, errOut io.ReadCloser
	if stdout != nil {
		out = io.NopCloser(&autoClosingReader{ReadCloser: stdout})
	}
	if stderr != nil {
		errOut = io.NopCloser(&autoClosingReader{ReadCloser: stderr})
	}
	return Stdio{Stdin: in, Stdout: out, Stderr: errOut, Terminal: terminal}, nil
}

// autoClosingReader closes its reader at the first error, EOF included.
type autoClosingReader struct {
	io.ReadCloser
	once sync.Once
}

func (r *autoClosingReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	if err != nil {
		r.once.Do(func() { _ = r.ReadCloser.Close() })
	}
	return n, err
}

// stdinCloser closes the stdin pipe and then tells HCS that input ended.
// HCS answers that the process or its handle is gone, or that its system is
// shutting down, when there is no one left to tell: not errors here.
type stdinCloser struct {
	io.WriteCloser
	process hcs.Process
}

func (s *stdinCloser) Close() error {
	if err := s.WriteCloser.Close(); err != nil {
		return err
	}
	// io.Closer takes no context: the engine's copy of its stdin waits
	// for HCS's answer, as moby's does.
	err := s.process.CloseStdin(context.Background())
	if errors.Is(err, hcs.ErrNotExist) || errors.Is(err, hcs.ErrAlreadyClosed) || errors.Is(err, hcs.ErrInvalidState) {
		return nil
	}
	return err
}
