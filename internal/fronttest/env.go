package fronttest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// event is one event as the engine received it.
type event struct {
	Type string
	Info EventInfo
}

// recorder is an engine's Backend that keeps every container's events.
type recorder struct {
	mu      sync.Mutex
	changed sync.Cond
	events  map[string][]event
}

func newRecorder() *recorder {
	r := &recorder{events: make(map[string][]event)}
	r.changed.L = &r.mu
	return r
}

func (r *recorder) ProcessEvent(id, e string, ei EventInfo) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[id] = append(r.events[id], event{e, ei})
	r.changed.Broadcast()
	return nil
}

// await blocks until container id has n events and returns them.
func (r *recorder) await(id string, n int) []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.events[id]) < n {
		r.changed.Wait()
	}
	return append([]event(nil), r.events[id]...)
}

func types(events []event) []string {
	var ts []string
	for _, e := range events {
		ts = append(ts, e.Type)
	}
	return ts
}

// env is a front's client over a fresh in-memory host.
type env struct {
	t      *testing.T
	f      Front
	ctx    context.Context
	host   *hcsfake.Host
	rec    *recorder
	client Client
}

func newEnv(t *testing.T, f Front) *env {
	t.Helper()
	e := &env{t: t, f: f, ctx: context.Background(), host: hcsfake.New(2, `C:\layers\base\UtilityVM`), rec: newRecorder()}
	var err error
	e.client, err = f.NewClient(e.ctx, e.host, e.rec)
	assert.NilError(t, err)
	return e
}

// spec is a spec running commandLine, process-isolated or Hyper-V.
func spec(commandLine string, hyperV bool) *specs.Spec {
	s := &specs.Spec{
		Process: &specs.Process{CommandLine: commandLine, Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: []string{`C:\layers\base`, `C:\layers\sandbox`}},
	}
	if hyperV {
		s.Root = &specs.Root{}
		s.Windows.HyperV = &specs.WindowsHyperV{}
	}
	return s
}

// start creates container id from s and starts its task.
func (e *env) start(id string, s *specs.Spec) (Container, Task, *Output) {
	e.t.Helper()
	ctr, err := e.client.NewContainer(e.ctx, id, s)
	assert.NilError(e.t, err)
	out := &Output{}
	tsk, err := ctr.NewTask(e.ctx, true, out.Attach)
	assert.NilError(e.t, err)
	return ctr, tsk, out
}

// stop kills the task and deletes the container.
func (e *env) stop(ctr Container, tsk Task) {
	e.t.Helper()
	assert.NilError(e.t, tsk.ForceDelete(e.ctx))
	assert.NilError(e.t, ctr.Delete(e.ctx))
}

// Output keeps what a process's stdio gave: an engine's attachStdio that
// copies stdout and stderr. The core's tests use it too.
type Output struct {
	Stdio          Stdio // as Attach received it
	wg             sync.WaitGroup
	stdout, stderr bytes.Buffer
}

// Attach is an Attach that starts copying s's output.
func (o *Output) Attach(s Stdio) error {
	o.Stdio = s
	for _, c := range []struct {
		r   io.Reader
		buf *bytes.Buffer
	}{{s.Stdout, &o.stdout}, {s.Stderr, &o.stderr}} {
		if c.r == nil {
			continue
		}
		o.wg.Add(1)
		go func(w io.Writer, r io.Reader) {
			defer o.wg.Done()
			_, _ = io.Copy(w, r)
		}(c.buf, c.r)
	}
	return nil
}

// Wait returns stdout and stderr once both ended.
func (o *Output) Wait() (string, string) {
	o.wg.Wait()
	return o.stdout.String(), o.stderr.String()
}

// class is an error class as engines test it.
type class int

const (
	invalidArgument class = iota
	notFound
	conflict
	notModified
	notImplemented
)

// hasClass reports whether moby's duck-typed errdefs sees err as c and as
// no other class, and every errdefs helper of the line sees it as c.
func (e *env) hasClass(err error, c class) bool {
	e.t.Helper()
	ok := true
	moby := []bool{
		MobyClass[interface{ InvalidParameter() }](err), MobyClass[interface{ NotFound() }](err),
		MobyClass[interface{ Conflict() }](err), MobyClass[interface{ NotModified() }](err),
		MobyClass[interface{ NotImplemented() }](err),
	}
	for k, is := range moby {
		if is != (class(k) == c) {
			e.t.Errorf("moby's errdefs: class %d is %v for %v", k, is, err)
			ok = false
		}
	}
	for _, d := range e.f.Errdefs {
		is := []func(error) bool{d.IsInvalidArgument, d.IsNotFound, d.IsConflict, d.IsNotModified, d.IsNotImplemented}[c]
		if is != nil && !is(err) {
			e.t.Errorf("%s: not class %d: %v", d.Name, c, err)
			ok = false
		}
	}
	return ok
}

// MobyClass reports whether moby's errdefs sees err as the class whose
// duck-typed method I has: like moby's getImplementer, it walks the Unwrap
// chain, and the first error with a class method decides.
func MobyClass[I any](err error) bool {
	for err != nil {
		if _, ok := err.(I); ok {
			return true
		}
		switch err.(type) {
		case interface{ InvalidParameter() }, interface{ NotFound() }, interface{ Conflict() },
			interface{ NotModified() }, interface{ NotImplemented() }:
			return false
		}
		err = errors.Unwrap(err)
	}
	return false
}

// SyncBuffer is a buffer several goroutines write, such as a log's output
// or a command's, read once they are done.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
