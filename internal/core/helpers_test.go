package core

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/goleak"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/internal/fronttest"
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
	// once hcsshim's stdio pipes started it (the HCS emulator's tests);
	// hcsshim's Kill checks a second later whether the process exited.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/Microsoft/go-winio.getQueuedCompletionStatus"),
		goleak.IgnoreAnyFunction("github.com/Microsoft/go-winio.ioCompletionProcessor"),
		goleak.IgnoreAnyFunction("github.com/Microsoft/hcsshim/internal/hcs.(*Process).processSignalResult.func1"))
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
	// fail, when set, is ProcessEvent's answer for an event it keeps.
	fail func(id string, e EventType) error
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
	if r.fail != nil {
		return r.fail(id, e)
	}
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
// engine receives, as the fronts' suite does.
type output struct {
	fronttest.Output
	stdin io.WriteCloser
}

func (o *output) attach(stdio Stdio) error {
	o.stdin = stdio.Stdin
	return o.Attach(fronttest.Stdio(stdio))
}

// wait returns stdout and stderr once both ended.
func (o *output) wait() (string, string) { return o.Wait() }

// types of the event stream, for comparing streams without their details.
func eventTypes(events []event) []EventType {
	var ts []EventType
	for _, e := range events {
		ts = append(ts, e.Type)
	}
	return ts
}

// The classes as moby's errdefs finds them, by their duck-typed methods.
func isInvalidParameter(err error) bool { return fronttest.MobyClass[mobyInvalidParameter](err) }
func isNotFound(err error) bool         { return fronttest.MobyClass[mobyNotFound](err) }
func isConflict(err error) bool         { return fronttest.MobyClass[mobyConflict](err) }
func isNotModified(err error) bool      { return fronttest.MobyClass[mobyNotModified](err) }
func isNotImplemented(err error) bool   { return fronttest.MobyClass[mobyNotImplemented](err) }

type (
	mobyNotFound         = interface{ NotFound() }
	mobyConflict         = interface{ Conflict() }
	mobyNotModified      = interface{ NotModified() }
	mobyNotImplemented   = interface{ NotImplemented() }
	mobyInvalidParameter = interface{ InvalidParameter() }
)

// specsDir holds the corpus of specs and their golden documents, at the
// repository's top, where runspec's users find them.
var specsDir = filepath.Join("..", "..", "testdata", "specs")

// The host the golden documents were made on (testdata/specs/README.md).
const goldenHostCPUs = 2

var goldenHostPaths = []string{`C:\layers\base\UtilityVM`, `C:\layers\upper\UtilityVM`}

func goldenHost() *hcsfake.Host { return hcsfake.New(goldenHostCPUs, goldenHostPaths...) }

// goldenSpecs lists the corpus: every testdata/specs/*.json.
func goldenSpecs(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(specsDir, "*.json"))
	assert.NilError(t, err)
	assert.Assert(t, len(files) >= 30, "the corpus has %d specs", len(files))
	return files
}

// readSpec decodes a spec file; "null" gives a nil spec.
func readSpec(t testing.TB, file string) *specs.Spec {
	data, err := os.ReadFile(file)
	assert.NilError(t, err)
	var spec *specs.Spec
	assert.NilError(t, json.Unmarshal(data, &spec))
	return spec
}

// startExec starts container c1 running until killed and an exec in it.
func startExec(t *testing.T, e *env, p *specs.Process) (*Container, *Task, *Process, *output) {
	t.Helper()
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	out := &output{}
	proc, err := tsk.Exec(e.ctx, "e1", p, out.attach)
	assert.NilError(t, err)
	return ctr, tsk, proc, out
}

// cleanUp force-deletes tsk and deletes ctr.
func cleanUp(t *testing.T, e *env, ctr *Container, tsk *Task) {
	t.Helper()
	assert.NilError(t, tsk.ForceDelete(e.ctx))
	assert.NilError(t, ctr.Delete(e.ctx))
}
