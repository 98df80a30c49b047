package hcsfake

import (
	"io"
	"sync"
)

// pipe is an in-memory pipe whose writes never block, like an OS pipe with a
// buffer large enough for the fake's output: a process that prints and exits
// does so whether or not anyone reads yet.
type pipe struct {
	mu      sync.Mutex
	cond    sync.Cond
	buf     []byte
	wclosed bool // no more writes: readers get EOF once buf is drained
	rclosed bool // the reader went away: writes fail
}

func newPipe() *pipe {
	p := &pipe{}
	p.cond.L = &p.mu
	return p
}

func (p *pipe) write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wclosed || p.rclosed {
		return 0, io.ErrClosedPipe
	}
	p.buf = append(p.buf, b...)
	p.cond.Broadcast()
	return len(b), nil
}

func (p *pipe) read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && !p.wclosed && !p.rclosed {
		p.cond.Wait()
	}
	if p.rclosed {
		return 0, io.ErrClosedPipe
	}
	if len(p.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	return n, nil
}

func (p *pipe) closeWrite() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wclosed = true
	p.cond.Broadcast()
}

func (p *pipe) closeRead() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rclosed = true
	p.cond.Broadcast()
}

// pipeReader and pipeWriter are the two ends handed out.
type pipeReader struct{ *pipe }
type pipeWriter struct{ *pipe }

func (r pipeReader) Read(b []byte) (int, error)  { return r.read(b) }
func (r pipeReader) Close() error                { r.closeRead(); return nil }
func (w pipeWriter) Write(b []byte) (int, error) { return w.write(b) }
func (w pipeWriter) Close() error                { w.closeWrite(); return nil }
