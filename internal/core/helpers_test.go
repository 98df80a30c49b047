package core

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/goleak"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// helper makes the test binary a process for tests that run real ones (the
// HCS emulator's): "sleep" runs until killed, "cat" copies stdin to stdout.
var helper = flag.String("lcw.helper", "", "run as a helper process: sleep or cat")

func TestMain(m *testing.M) {
	flag.Parse()
	switch *helper {
	case "sleep":
		time.Sleep(24 * time.Hour)
		os.Exit(0)
	case "cat":
		_, _ = io.Copy(os.Stdout, os.Stdin)
		os.Exit(0)
	}
	if os.Getenv("LCW_TEST_LOG") != "1" {
		// The backend logs every event; LCW_TEST_LOG=1 shows them.
		log.L.Logger.SetOutput(io.Discard)
	}
	// go-winio's completion port goroutine lives as long as the process,
	// once hcsshim's stdio pipes started it (the HCS emulator's tests).
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/Microsoft/go-winio.getQueuedCompletionStatus"),
		goleak.IgnoreAnyFunction("github.com/Microsoft/go-winio.ioCompletionProcessor"))
}

// event is one event as the backend received it.
type event struct {
	Type EventType
	Info EventInfo
}

// recorder is a Backend that keeps every container's event stream.
type recorder struct {
	mu      sync.Mutex
	changed sync.Cond
	events  map[string][]event
	// onEvent, when set, runs in ProcessEvent before the event is kept.
	onEvent func(id string, e EventType)
}

func newRecorder() *recorder {
	r := &recorder{events: make(map[string][]event)}
	r.changed.L = &r.mu
	return r
}

func (r *recorder) ProcessEvent(id string, e EventType, ei EventInfo) error {
	if r.onEvent != nil {
		r.onEvent(id, e)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[id] = append(r.events[id], event{e, ei})
	r.changed.Broadcast()
	return nil
}

// await blocks until container id has n events and returns them.
func (r *recorder) await(id string, n int) []event {
	r.awaitUntil(id, func(events []event) bool { return len(events) >= n })
	return r.stream(id)
}

// awaitUntil blocks until done holds of container id's events.
func (r *recorder) awaitUntil(id string, done func([]event) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for !done(r.events[id]) {
		r.changed.Wait()
	}
}

// stream returns container id's events so far.
func (r *recorder) stream(id string) []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events[id]...)
}

// env is a client over a fresh in-memory host.
type env struct {
	t      *testing.T
	ctx    context.Context
	host   *hcsfake.Host
	rec    *recorder
	client *Client
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), host: goldenHost(), rec: newRecorder()}
	e.client = e.newClient(opts...)
	return e
}

// newClient is a further client on the same host, as after a daemon restart.
func (e *env) newClient(opts ...Option) *Client {
	c, err := NewClient(Logger(e.ctx), Moby26, e.rec, append([]Option{WithHost(e.host)}, opts...)...)
	assert.NilError(e.t, err)
	e.t.Cleanup(c.eventQ.Wait)
	return c
}

// spec is a process-isolated spec running commandLine.
func spec(t testing.TB, commandLine string) *specs.Spec {
	s := readSpec(t, specsDir+"/process-minimal.json")
	s.Process.Args = nil
	s.Process.CommandLine = commandLine
	return s
}

// hypervSpec is a Hyper-V spec running commandLine.
func hypervSpec(t testing.TB, commandLine string) *specs.Spec {
	s := readSpec(t, specsDir+"/hyperv-minimal.json")
	s.Process.Args = nil
	s.Process.CommandLine = commandLine
	return s
}

func (e *env) create(id string, s *specs.Spec) *Container {
	e.t.Helper()
	ctr, err := e.client.NewContainer(e.ctx, id, s)
	assert.NilError(e.t, err)
	return ctr
}

// start creates container id and its task, capturing its output.
func (e *env) start(id string, s *specs.Spec) (*Container, *Task, *output) {
	e.t.Helper()
	ctr := e.create(id, s)
	out := &output{}
	tsk, err := ctr.NewTask(e.ctx, out.attach)
	assert.NilError(e.t, err)
	return ctr, tsk, out
}

// output captures a process's stdout and stderr through the stdio the
// engine receives.
type output struct {
	stdin          io.WriteCloser
	wg             sync.WaitGroup
	stdout, stderr bytes.Buffer
	stdio          Stdio
}

func (o *output) attach(stdio Stdio) error {
	o.stdio, o.stdin = stdio, stdio.Stdin
	for _, s := range []struct {
		r   io.Reader
		buf *bytes.Buffer
	}{{stdio.Stdout, &o.stdout}, {stdio.Stderr, &o.stderr}} {
		if s.r == nil {
			continue
		}
		o.wg.Add(1)
		go func(w io.Writer, r io.Reader) {
			defer o.wg.Done()
			_, _ = io.Copy(w, r)
		}(s.buf, s.r)
	}
	return nil
}

// wait returns stdout and stderr once both ended.
func (o *output) wait() (string, string) {
	o.wg.Wait()
	return o.stdout.String(), o.stderr.String()
}

// types of the event stream, for comparing streams without their details.
func eventTypes(events []event) []EventType {
	var ts []EventType
	for _, e := range events {
		ts = append(ts, e.Type)
	}
	return ts
}

// mobyClass reports whether moby's errdefs would see err as the class
// whose duck-typed method is implemented by I: like moby's getImplementer,
// it walks the Unwrap chain to the first error implementing any class.
func mobyClass[I any](err error) bool {
	for err != nil {
		if _, ok := err.(I); ok {
			return true
		}
		switch err.(type) {
		case interface{ InvalidParameter() }, interface{ NotFound() }, interface{ Conflict() },
			interface{ NotModified() }, interface{ NotImplemented() }:
			return false // another class is the first one found
		}
		err = errors.Unwrap(err)
	}
	return false
}

// The classes as moby's errdefs finds them, by their duck-typed methods.
func isInvalidParameter(err error) bool { return mobyClass[mobyInvalidParameter](err) }
func isNotFound(err error) bool         { return mobyClass[mobyNotFound](err) }
func isConflict(err error) bool         { return mobyClass[mobyConflict](err) }
func isNotModified(err error) bool      { return mobyClass[mobyNotModified](err) }
func isNotImplemented(err error) bool   { return mobyClass[mobyNotImplemented](err) }

type (
	mobyNotFound         = interface{ NotFound() }
	mobyConflict         = interface{ Conflict() }
	mobyNotModified      = interface{ NotModified() }
	mobyNotImplemented   = interface{ NotImplemented() }
	mobyInvalidParameter = interface{ InvalidParameter() }
)
