package core

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/fronttest"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// The model-based test drives random sequences of every API call across
// many containers from many goroutines while faults are injected into
// random HCS calls, and checks each call's result class against a model
// and every container's event stream. It is seeded and prints its seed:
//
//	go test -run TestModel -v .                               # short, random seed
//	go test -run TestModel -v . -model.seed 42                # that seed again
//	LCW_MODEL_LONG=1 go test -run TestModel -v -timeout 1h .  # the long run
//
// A seed fixes every goroutine's sequence of calls and faults; the
// interleaving of goroutines is the scheduler's. TestModelWithHangs is the
// same with hung HCS calls and contexts that end.
var (
	modelSeed = flag.Int64("model.seed", 0, "seed of TestModel (0: from the clock)")
	modelLong = flag.Bool("model.long", false, "run TestModel's long configuration (or set LCW_MODEL_LONG=1)")
)

// callBound is how long any call may take before the watchdog declares a
// deadlock; every delay, hang and timeout of the test is far shorter.
const callBound = 30 * time.Second

type modelConfig struct {
	actors, steps int
	// hangs makes every call's context end after a few milliseconds, and
	// half of the hangs injected last until their actor made all its
	// calls: a call that does not return when its context ends waits for
	// a release that never comes, and the watchdog reports it.
	hangs bool
}

func TestModel(t *testing.T) { runModel(t, fakeModelHost{goldenHost()}, false) }

// TestModelWithHangs runs the model with hung HCS calls, released at
// random times or only once every call of their actor returned, and a
// context that ends at a random time for every call: the invariants hold,
// and every call returns once its context ended.
func TestModelWithHangs(t *testing.T) { runModel(t, fakeModelHost{goldenHost()}, true) }

// modelHost is the host a model runs on, and what the model asks of it
// beyond the seam.
type modelHost interface {
	hcs.Host
	// spec is a container's spec on this host.
	spec(t testing.TB, hyperV bool, command string) *specs.Spec
	// injectFault arms a fault for one call of a's current container, and
	// reports whether it can reach other containers too.
	injectFault(a *actor) (global bool)
	// releaseHangs releases the hangs held until every goroutine made its
	// calls.
	releaseHangs()
	// clearFaults disarms what is left of the faults for container id.
	clearFaults(id string)
	// running tells whether system id is there and not stopped.
	running(id string) bool
	// awaitReleased blocks until every handle is closed but those an
	// injected fault's Close refused.
	awaitReleased()
}

func runModel(t *testing.T, host modelHost, hangs bool) {
	cfg := modelConfig{actors: 24, steps: 60, hangs: hangs}
	if *modelLong || os.Getenv("LCW_MODEL_LONG") == "1" {
		cfg = modelConfig{actors: 200, steps: 1000, hangs: hangs}
	}
	if n, err := strconv.Atoi(os.Getenv("LCW_MODEL_STEPS")); err == nil {
		cfg.steps = n
	}
	if n, err := strconv.Atoi(os.Getenv("LCW_MODEL_ACTORS")); err == nil {
		cfg.actors = n
	}
	seed := *modelSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("model seed %d (rerun with -model.seed %d), %d goroutines x %d steps", seed, seed, cfg.actors, cfg.steps)

	m := &model{t: t, host: host, rec: newRecorder(), seed: seed, hangs: hangs, released: make(chan struct{})}
	m.client = m.newClient()
	stop := m.watchdog()
	var stepped, done sync.WaitGroup
	actors := make([]*actor, cfg.actors)
	for i := range actors {
		actors[i] = &actor{m: m, n: i, r: rand.New(rand.NewSource(seed + int64(i)))}
		stepped.Add(1)
		done.Add(1)
		go func(a *actor) {
			defer done.Done()
			a.run(cfg.steps, stepped.Done)
		}(actors[i])
	}
	// The hangs held for the end are released once every goroutine made
	// its calls: a call that did not return when its context ended would
	// still be waiting, and the watchdog reports it.
	stepped.Wait()
	host.releaseHangs()
	close(m.released)
	done.Wait()
	stop()
	for _, c := range m.clients {
		c.eventQ.Wait()
	}

	var s streamStats
	for _, a := range actors {
		for _, c := range a.history {
			s.add(m.checkStream(c))
		}
	}
	mode := "model"
	if hangs {
		mode = fmt.Sprintf("model with hangs (%d hangs, %d calls whose context ended first)", m.hung.Load(), m.ended.Load())
	}
	t.Logf("ci: %s: %d call sequences, %d calls (%d concurrent probes), %d faults injected, %d containers created, %d processes started, %d events checked: %d lost, %d duplicated, %d out of order; deadlocks: 0",
		mode, cfg.actors, m.calls.Load(), m.probes.Load(), m.faults.Load(), m.created.Load(), s.processes, s.events, s.lost, s.duplicated, s.disordered)
	assert.Equal(t, s.lost+s.duplicated+s.disordered, 0)
	// A handle stays open only where an injected fault made its Close fail:
	// neither moby nor we close a handle twice.
	// Processes discarded by a failed NewTask or Exec are released in the
	// background; the watchdog reports a release that never comes.
	stop = m.watchdog()
	_ = m.call("release of every handle but those whose Close was refused", func() error {
		host.awaitReleased()
		return nil
	})
	stop()
}

// fakeModelHost is the in-memory host, whose faults target one container.
type fakeModelHost struct{ *hcsfake.Host }

func (fakeModelHost) spec(t testing.TB, hyperV bool, command string) *specs.Spec {
	if hyperV {
		return hypervSpec(t, command)
	}
	return spec(t, command)
}

func (h fakeModelHost) clearFaults(id string) { h.ClearFaultsOf(id) }

func (h fakeModelHost) running(id string) bool {
	state, found := h.State(id)
	return found && state != hcsfake.StateStopped
}

func (h fakeModelHost) awaitReleased() {
	h.AwaitOpenHandles(h.Refused(hcsfake.OpClose) + h.Refused(hcsfake.OpProcessClose))
}

// releaseHangs has nothing to do: each goroutine releases its own.
func (fakeModelHost) releaseHangs() {}

// model is the shared part of a run.
type model struct {
	t     *testing.T
	host  modelHost
	rec   *recorder
	seed  int64
	hangs bool

	mu      sync.Mutex
	client  *Client   // the current client; LoadContainer uses a new one
	clients []*Client // every client made, to drain their queues

	calls, probes, faults, created, hung, ended atomic.Int64
	// released is closed once the hangs held for the end were released.
	released chan struct{}
	// global is set once a fault that can reach any container was armed.
	global atomic.Bool
	// inFlight maps a running call to when it began, for the watchdog.
	inFlight sync.Map
}

// shaky tells whether a fault may have reached c's calls.
func (m *model) shaky(c *modelContainer) bool { return c.shaky || m.global.Load() }

func (m *model) newClient() *Client {
	c, err := NewClient(Logger(context.Background()), Moby26, m.rec,
		// Short enough for shutdowns that never finish (injected), long
		// enough that a real one always does, even under -race.
		WithHost(m.host), WithShutdownTimeout(3*time.Second), WithRestoreTimeout(10*time.Second))
	if err != nil {
		panic(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clients = append(m.clients, c)
	return c
}

// watchdog fails the test with every goroutine's stack when a call has not
// returned within callBound; stop ends it.
func (m *model) watchdog() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			m.inFlight.Range(func(k, v any) bool {
				if time.Since(v.(time.Time)) > callBound {
					buf := make([]byte, 16<<20)
					buf = buf[:runtime.Stack(buf, true)]
					panic(fmt.Sprintf("model (seed %d): %s did not return within %s: a deadlock\n\n%s", m.seed, k.(*callKey).name, callBound, buf))
				}
				return true
			})
		}
	}()
	return func() { close(done); <-finished }
}

type callKey struct{ name string }

// call runs f under the watchdog and counts it.
func (m *model) call(name string, f func() error) error {
	k := &callKey{name}
	m.inFlight.Store(k, time.Now())
	defer m.inFlight.Delete(k)
	m.calls.Add(1)
	return f()
}

// outcome is the class of a call's result.
type outcome string

const (
	ok              outcome = "ok"
	outNotFound     outcome = "not found"
	outConflict     outcome = "conflict"
	outNotModified  outcome = "not modified"
	outNotImpl      outcome = "not implemented"
	outInvalid      outcome = "invalid parameter"
	outDeadline     outcome = "deadline"
	outUnclassified outcome = "an HCS error"
)

func classify(err error) outcome {
	switch {
	case err == nil:
		return ok
	case isNotFound(err):
		return outNotFound
	case isConflict(err):
		return outConflict
	case isNotModified(err):
		return outNotModified
	case isNotImplemented(err):
		return outNotImpl
	case isInvalidParameter(err):
		return outInvalid
	case errors.Is(err, context.DeadlineExceeded):
		if !fronttest.MobyClass[interface{ DeadlineExceeded() }](err) {
			return outUnclassified
		}
		return outDeadline
	}
	return outUnclassified
}

// modelContainer is the model of one container: what was asked of it and
// what succeeded, from which its event stream is predicted.
type modelContainer struct {
	id      string
	hyperV  bool
	ctr     *Container // nil until created
	created bool
	deleted bool
	// shaky is set once a fault was injected for the container or its
	// system was stopped under it (a kill, a restore): from then on any
	// call that reaches HCS may fail with an HCS error.
	shaky bool
	// paused is set while a Pause succeeded and no Resume did since: HCS
	// then refuses to create processes.
	paused bool
	// maybeDeleted is set once a Delete's context ended: it may have
	// released the container.
	maybeDeleted bool

	task        *Task
	taskDeleted bool
	starts      int // successful NewTask calls
	execs       []string
	processes   map[string]*Process
	pauses      int
	resumes     int
	// Pauses and resumes whose context ended first: HCS may do them late,
	// and they are reported then.
	latePauses, lateResumes int
	loaded                  []*Container // handles from LoadContainer
}

// exitsSeen counts the exit events of process id (the task's when id is the
// container's) delivered so far.
func (c *modelContainer) exitsSeen(rec *recorder, id string) int {
	n := 0
	for _, e := range rec.stream(c.id) {
		if e.Type == EventExit && e.Info.ProcessID == id {
			n++
		}
	}
	return n
}

// actor is one goroutine of the test, working on one container at a time.
type actor struct {
	m       *model
	n       int
	r       *rand.Rand
	gen     int
	cur     *modelContainer
	history []*modelContainer
	probe   atomic.Pointer[probeTarget]
	// held are the hangs released once the actor made all its calls.
	held []chan struct{}
}

// context is the context of the actor's next calls: in the model with
// hangs, one that ends after a few milliseconds.
func (a *actor) context() (context.Context, context.CancelFunc) {
	if !a.m.hangs {
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), time.Duration(1+a.r.Intn(20))*time.Millisecond)
}

// probeTarget is what the prober calls: set whole, never changed.
type probeTarget struct {
	ctr  *Container
	task *Task
}

// run makes the actor's calls, says so, and cleans up once the hangs held
// for the end were released.
func (a *actor) run(steps int, stepped func()) {
	probeDone := make(chan struct{})
	tick := make(chan struct{}, 1)
	go a.prober(tick, probeDone)
	for i := 0; i < steps; i++ {
		if a.cur != nil && a.r.Intn(5) == 0 {
			a.injectFault()
		}
		a.step()
		select {
		case tick <- struct{}{}: // a probe per step, at most
		default:
		}
	}
	for _, hang := range a.held {
		close(hang)
	}
	close(tick)
	<-probeDone
	stepped()
	<-a.m.released
	for _, c := range a.history {
		a.cleanUp(c)
	}
}

// handleCall is what a call that creates a process or reads statistics may
// answer: once faults are injected, HCS's answer for a closed handle, which
// the backend takes for a racing Delete's, reads as not found.
func (a *actor) handleCall(c *modelContainer) []outcome {
	if a.m.shaky(c) {
		return []outcome{ok, outNotFound}
	}
	return []outcome{ok}
}

// expect checks a call's result against the outcomes the model allows.
func (a *actor) expect(c *modelContainer, name string, err error, allowed ...outcome) outcome {
	got := classify(err)
	if got == outDeadline && a.m.hangs {
		a.m.ended.Add(1)
		return got
	}
	if c != nil && (a.m.shaky(c) || c.paused) && contains(allowed, ok) {
		allowed = append(allowed, outUnclassified)
	}
	if c != nil && c.maybeDeleted {
		allowed = append(allowed, outNotFound)
	}
	if !contains(allowed, got) {
		var stream []string
		if c != nil {
			for _, e := range a.m.rec.stream(c.id) {
				stream = append(stream, string(e.Type)+"("+e.Info.ProcessID+")")
			}
		}
		a.m.t.Errorf("seed %d, goroutine %d, container %v: %s: got %s (%v), want one of %v; events so far: %v", a.m.seed, a.n, idOf(c), name, got, err, allowed, stream)
	}
	return got
}

func idOf(c *modelContainer) string {
	if c == nil {
		return "-"
	}
	return c.id
}

func contains(list []outcome, o outcome) bool {
	for _, x := range list {
		if x == o {
			return true
		}
	}
	return false
}

func drain(stdio Stdio) error {
	for _, r := range []io.Reader{stdio.Stdout, stdio.Stderr} {
		if r != nil {
			go func(r io.Reader) { _, _ = io.Copy(io.Discard, r) }(r)
		}
	}
	return nil
}

var modelCommands = []string{"ping -t localhost", "ping -t localhost", "cmd /c more", "cmd /c echo hi & exit 3"}

// actorOps are what an actor does at a step, each drawn with its weight
// out of 100.
var actorOps = []struct {
	weight int
	do     func(a *actor, ctx context.Context, c *modelContainer)
}{
	{4, func(a *actor, _ context.Context, c *modelContainer) { a.replace(c) }},
	{14, (*actor).newTask},
	{12, (*actor).exec},
	{6, (*actor).kill},
	{7, (*actor).pauseOrResume},
	{7, (*actor).inspect},
	{8, (*actor).deleteTask},
	{5, (*actor).forceDelete},
	{6, (*actor).deleteContainer},
	{5, func(a *actor, _ context.Context, c *modelContainer) { a.restore(c) }},
	{26, func(a *actor, _ context.Context, c *modelContainer) { a.processCall(c) }},
}

// step makes one random call; an actor without a live container makes
// one.
func (a *actor) step() {
	ctx, cancel := a.context()
	defer cancel()
	n := a.r.Intn(100)
	op := 0
	for n >= actorOps[op].weight {
		n -= actorOps[op].weight
		op++
	}
	if c := a.cur; c == nil || c.deleted {
		a.replace(c)
	} else {
		actorOps[op].do(a, ctx, c)
	}
}

// replace moves the actor on to a new container, half the time when its
// container still lives.
func (a *actor) replace(c *modelContainer) {
	if c != nil && !c.deleted && a.r.Intn(2) == 0 {
		return // keep the container a while longer
	}
	a.create()
}

// newTask calls NewTask.
func (a *actor) newTask(ctx context.Context, c *modelContainer) {
	var t *Task
	err := a.m.call("NewTask", func() (err error) { t, err = c.ctr.NewTask(ctx, drain); return err })
	switch {
	case c.deleted:
		a.expect(c, "NewTask", err, outNotFound)
	case c.task != nil && !c.taskDeleted:
		a.expect(c, "NewTask", err, outNotModified)
	default:
		if a.expect(c, "NewTask", err, a.handleCall(c)...) == ok {
			c.task, c.taskDeleted = t, false
			c.starts++
			a.probe.Store(&probeTarget{c.ctr, t})
		}
	}
}

// exec calls Exec.
func (a *actor) exec(ctx context.Context, c *modelContainer) {
	if !a.hasTask(c) {
		return
	}
	id := fmt.Sprintf("x%d-%d", a.n, len(c.execs)+a.r.Intn(1<<30))
	var p *Process
	spec := &specs.Process{CommandLine: modelCommands[a.r.Intn(len(modelCommands))], Terminal: a.r.Intn(4) == 0}
	err := a.m.call("Exec", func() (err error) { p, err = c.task.Exec(ctx, id, spec, drain); return err })
	if a.expect(c, "Exec", err, a.handleCall(c)...) == ok {
		c.execs = append(c.execs, id)
		c.processes[id] = p
	}
}

// kill calls Kill.
func (a *actor) kill(ctx context.Context, c *modelContainer) {
	if !a.hasTask(c) {
		return
	}
	signal := syscall.SIGTERM
	if a.r.Intn(2) == 0 {
		signal = syscall.SIGKILL
	}
	err := a.m.call("Kill", func() error { return c.task.Kill(ctx, signal) })
	a.expect(c, "Kill", err, ok)
	c.shaky = true // the system stops under the next calls
}

// pauseOrResume calls Pause or Resume.
func (a *actor) pauseOrResume(ctx context.Context, c *modelContainer) {
	if !a.hasTask(c) {
		return
	}
	pause := a.r.Intn(2) == 0
	name, f := "Resume", c.task.Resume
	if pause {
		name, f = "Pause", c.task.Pause
	}
	err := a.m.call(name, func() error { return f(ctx) })
	if !c.hyperV {
		a.expect(c, name, err, outNotImpl)
		return
	}
	// Pausing twice, or resuming what runs, is HCS's invalid state.
	switch a.expect(c, name, err, append(a.handleCall(c), outUnclassified)...) {
	case ok:
		if pause {
			c.pauses++
		} else {
			c.resumes++
		}
		c.paused = pause
	case outDeadline:
		if pause {
			c.latePauses++
		} else {
			c.lateResumes++
		}
		c.shaky = true // paused or not, HCS knows
	}
}

// inspect calls Stats, Summary, Status, Pids.
func (a *actor) inspect(ctx context.Context, c *modelContainer) {
	if !a.hasTask(c) {
		return
	}
	err := a.m.call("Stats", func() error { _, _, err := c.task.Stats(ctx); return err })
	a.expect(c, "Stats", err, a.handleCall(c)...)
	err = a.m.call("Summary", func() error { _, err := c.task.Summary(ctx); return err })
	a.expect(c, "Summary", err, a.handleCall(c)...)
	err = a.m.call("Status", func() error { _, err := c.task.Status(ctx); return err })
	a.expect(c, "Status", err, ok)
	err = a.m.call("Pids", func() error { return c.task.Pids(ctx) })
	a.expect(c, "Pids", err, outNotImpl)
}

// deleteTask calls Task.Delete.
func (a *actor) deleteTask(ctx context.Context, c *modelContainer) {
	if c.task == nil || c.taskDeleted {
		return
	}
	// Exits seen before the call: the task may end during it.
	exits := c.exitsSeen(a.m.rec, c.id)
	err := a.m.call("Task.Delete", func() error { _, err := c.task.Delete(ctx); return err })
	switch {
	case c.deleted && exits < c.starts:
		a.expect(c, "Task.Delete", err, outConflict, outNotFound)
	case exits == c.starts:
		a.expect(c, "Task.Delete", err, ok)
	default:
		a.expect(c, "Task.Delete", err, ok, outConflict)
	}
	if err == nil {
		c.taskDeleted = true
	}
}

// forceDelete calls ForceDelete.
func (a *actor) forceDelete(ctx context.Context, c *modelContainer) {
	if c.task == nil || c.taskDeleted {
		return
	}
	fctx, fcancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err := a.m.call("ForceDelete", func() error { return c.task.ForceDelete(fctx) })
	fcancel()
	if c.deleted {
		a.expect(c, "ForceDelete", err, ok, outNotFound, outDeadline)
	} else if a.expect(c, "ForceDelete", err, ok, outDeadline) == ok {
		c.taskDeleted = true
	}
	c.shaky = true
}

// deleteContainer calls Container.Delete.
func (a *actor) deleteContainer(ctx context.Context, c *modelContainer) {
	exits := c.exitsSeen(a.m.rec, c.id)
	err := a.m.call("Container.Delete", func() error { return c.ctr.Delete(ctx) })
	switch {
	case c.deleted:
		a.expect(c, "Container.Delete", err, outNotFound)
	case c.task != nil && !c.taskDeleted && exits < c.starts:
		a.expect(c, "Container.Delete", err, outConflict, ok)
	default:
		a.expect(c, "Container.Delete", err, ok)
	}
	// Delete releases the container even when HCS fails it.
	switch classify(err) {
	case ok, outUnclassified:
		c.deleted = true
	case outNotFound:
		c.deleted = c.deleted || c.maybeDeleted
	case outDeadline:
		c.maybeDeleted = true
		c.shaky = true // the shutdown may go on
	}
}

func (a *actor) hasTask(c *modelContainer) bool {
	return c.task != nil && !c.taskDeleted && !c.deleted
}

// create makes the actor's next container.
func (a *actor) create() {
	a.gen++
	c := &modelContainer{id: fmt.Sprintf("m%d-%d", a.n, a.gen), hyperV: a.r.Intn(2) == 0, processes: map[string]*Process{}}
	a.history = append(a.history, c)
	a.cur = c
	command := modelCommands[a.r.Intn(len(modelCommands))]
	s := a.m.host.spec(a.m.t, c.hyperV, command)
	if a.r.Intn(8) == 0 {
		a.injectFault()
	}
	var ctr *Container
	client := a.m.currentClient()
	ctx, cancel := a.context()
	defer cancel()
	err := a.m.call("NewContainer", func() (err error) { ctr, err = client.NewContainer(ctx, c.id, s); return err })
	if a.expect(c, "NewContainer", err, ok) == ok {
		c.ctr, c.created = ctr, true
		a.m.created.Add(1)
		return
	}
	c.deleted = true // nothing to delete
}

func (m *model) currentClient() *Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.client
}

// restore restarts the client, as a daemon restart does, and loads the
// actor's container with the new client; the old client goes on serving
// its containers, whose systems the load terminates.
func (a *actor) restore(c *modelContainer) {
	m := a.m
	fresh := m.newClient()
	m.mu.Lock()
	m.client = fresh
	m.mu.Unlock()
	var loaded *Container
	ctx, cancel := a.context()
	defer cancel()
	err := m.call("LoadContainer", func() (err error) { loaded, err = fresh.LoadContainer(ctx, c.id); return err })
	if c.deleted || !c.created {
		a.expect(c, "LoadContainer", err, outNotFound)
		return
	}
	allowed := []outcome{ok}
	if m.shaky(c) {
		allowed = append(allowed, outNotFound) // a fault on OpenContainer
	}
	if a.expect(c, "LoadContainer", err, allowed...) == ok {
		c.loaded = append(c.loaded, loaded)
		err := m.call("NewTask(loaded)", func() error { _, err := loaded.NewTask(ctx, drain); return err })
		a.expect(c, "NewTask(loaded)", err, outNotImpl)
	}
	c.shaky = true
}

// processCall calls a method of one of the container's execs.
func (a *actor) processCall(c *modelContainer) {
	if len(c.execs) == 0 {
		return
	}
	m := a.m
	ctx, cancel := a.context()
	defer cancel()
	id := c.execs[a.r.Intn(len(c.execs))]
	p := c.processes[id]
	exited := c.exitsSeen(m.rec, id) > 0
	// A call may meet the process between its exit and its reaping.
	live := []outcome{ok, outNotFound, outUnclassified}
	switch a.r.Intn(5) {
	case 0:
		err := m.call("Process.Kill", func() error { return p.Kill(ctx, syscall.SIGKILL) })
		if exited {
			a.expect(c, "Process.Kill", err, outNotFound)
		} else {
			a.expect(c, "Process.Kill", err, live...)
		}
	case 1:
		err := m.call("Process.Resize", func() error { return p.Resize(ctx, 80, 25) })
		if exited {
			a.expect(c, "Process.Resize", err, outNotFound)
		} else {
			a.expect(c, "Process.Resize", err, live...) // no console: HCS's invalid state
		}
	case 2:
		err := m.call("Process.CloseStdin", func() error { return p.CloseStdin(ctx) })
		if exited {
			a.expect(c, "Process.CloseStdin", err, outNotFound)
		} else {
			a.expect(c, "Process.CloseStdin", err, live...)
		}
	case 3:
		err := m.call("Process.Delete", func() error { _, err := p.Delete(ctx); return err })
		if exited {
			a.expect(c, "Process.Delete", err, ok)
		} else {
			a.expect(c, "Process.Delete", err, ok, outConflict)
		}
	default:
		_ = m.call("Process.Pid", func() error { _ = p.Pid(); return nil })
	}
}

// injectFault arms one fault, once, on a random HCS call of the actor's
// current container: an error of every class or a raw one, a pending
// answer, a delay, or a hang released a little later.
func (a *actor) injectFault() {
	if a.cur == nil {
		return
	}
	if a.m.host.injectFault(a) {
		a.m.global.Store(true)
	}
	a.m.faults.Add(1)
	a.cur.shaky = true
}

// injectFault arms a fault on a call of a's current container only.
func (h fakeModelHost) injectFault(a *actor) bool {
	c := a.cur
	ops := []hcsfake.Op{
		hcsfake.OpCreateSystem, hcsfake.OpOpenSystem, hcsfake.OpStart, hcsfake.OpShutdown, hcsfake.OpTerminate,
		hcsfake.OpWait, hcsfake.OpWaitTimeout, hcsfake.OpPause, hcsfake.OpResume, hcsfake.OpStatistics,
		hcsfake.OpProcessList, hcsfake.OpCreateProcess, hcsfake.OpClose, hcsfake.OpProcessKill, hcsfake.OpProcessWait,
		hcsfake.OpProcessExitCode, hcsfake.OpProcessResize, hcsfake.OpProcessStdio, hcsfake.OpProcessCloseStdin, hcsfake.OpProcessClose,
	}
	f := hcsfake.Fault{Op: ops[a.r.Intn(len(ops))], ID: c.id, Times: 1}
	classes := []error{hcs.ErrPending, hcs.ErrAlreadyStopped, hcs.ErrNotExist, hcs.ErrAlreadyClosed, hcs.ErrInvalidState, hcs.ErrBrokenPipe, hcs.ErrTimeout}
	kinds := 10
	if a.m.hangs {
		kinds = 14 // hangs half of the time
	}
	switch k := a.r.Intn(kinds); {
	case k < 5:
		f.Err = hcs.WithClass(classes[a.r.Intn(len(classes))], errors.New("injected"))
		f.Late = a.r.Intn(3) == 0
	case k < 6:
		f.Err = errors.New("injected raw error")
	case k < 7:
		f.Pending = true
	case k < 8:
		f.Delay = time.Duration(a.r.Intn(2000)) * time.Microsecond
	default:
		if f.Op == hcsfake.OpProcessStdio {
			// Stdio asks nothing of HCS (hcsshim keeps the pipes): it
			// cannot hang.
			f.Err = errors.New("injected raw error")
			break
		}
		hang := make(chan struct{})
		f.Hang = hang
		a.m.hung.Add(1)
		if a.m.hangs && a.r.Intn(2) == 0 {
			a.held = append(a.held, hang)
			break
		}
		time.AfterFunc(time.Duration(a.r.Intn(10))*time.Millisecond, func() { close(hang) })
	}
	h.Inject(f)
	return false
}

// cleanUp ends what is left of a container once faults are off: every
// process exits and every handle is released.
func (a *actor) cleanUp(c *modelContainer) {
	m := a.m
	ctx := context.Background()
	m.host.clearFaults(c.id)
	if c.task != nil && !c.taskDeleted {
		err := m.call("cleanup ForceDelete", func() error { return c.task.ForceDelete(ctx) })
		a.expect(c, "cleanup ForceDelete", err, ok, outNotFound)
	}
	if c.created && !c.deleted {
		err := m.call("cleanup Delete", func() error { return c.ctr.Delete(ctx) })
		a.expect(c, "cleanup Delete", err, ok)
	}
	for _, l := range c.loaded {
		err := m.call("cleanup Delete(loaded)", func() error { return l.Delete(ctx) })
		a.expect(c, "cleanup Delete(loaded)", err, ok, outNotFound, outUnclassified)
	}
	// A Delete whose shutdown and terminate both failed (two faults) leaves
	// the system running, as HCS would; stop it as an operator would, so
	// that its processes end.
	h, openErr := m.host.OpenSystem(ctx, c.id)
	if openErr == nil {
		_ = h.Terminate(ctx)
		_ = h.Wait(ctx)
		_ = h.Close(ctx)
	}
	// What the watchdog's report needs if an exit never comes.
	if m.host.running(c.id) {
		m.t.Errorf("seed %d, container %s: still running after the clean-up (open: %v)", m.seed, c.id, openErr)
	}
	// Every started process ends, by its script, a kill or its system, and
	// its exit is reported: the watchdog catches an exit that never comes.
	// The task's exits count too: its reaper may report the last one after
	// the clean-up returned, once a held hang of its Wait is released.
	_ = m.call("cleanup: wait for the exits of "+c.id, func() error {
		awaitExits := func(id string, n int) {
			m.rec.awaitUntil(c.id, func(events []event) bool {
				seen := 0
				for _, e := range events {
					if e.Type == EventExit && e.Info.ProcessID == id {
						seen++
					}
				}
				return seen >= n
			})
		}
		awaitExits(c.id, c.starts)
		for _, id := range c.execs {
			awaitExits(id, 1)
		}
		return nil
	})
}

// prober calls the read-only methods of whatever task the actor has, from
// another goroutine, once per tick of the actor, so that calls on one
// container also race each other. Any class of result is fine; panics and
// deadlocks are not.
func (a *actor) prober(tick <-chan struct{}, done chan struct{}) {
	defer close(done)
	for range tick {
		p := a.probe.Load()
		if p == nil {
			continue
		}
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		if a.m.hangs {
			ctx, cancel = context.WithTimeout(ctx, 5*time.Millisecond)
		}
		_ = a.m.call("probe", func() error {
			defer cancel()
			_, _ = p.task.Status(ctx)
			_ = p.task.Pid()
			_, _, _ = p.task.Stats(ctx)
			_, _ = p.task.Summary(ctx)
			_, _ = p.ctr.Task(ctx)
			return nil
		})
		a.m.probes.Add(1)
	}
}

// streamStats sums what checkStream found.
type streamStats struct{ processes, events, lost, duplicated, disordered int }

func (s *streamStats) add(o streamStats) {
	s.processes += o.processes
	s.events += o.events
	s.lost += o.lost
	s.duplicated += o.duplicated
	s.disordered += o.disordered
}

// checkStream compares a container's event stream with what the model
// predicts: create first; a start per task and an exec-added, exec-started
// pair per exec; one exit per started process, after its start; a paused or
// resumed per successful call; nothing for a container never created.
func (m *model) checkStream(c *modelContainer) streamStats {
	events := m.rec.stream(c.id)
	var s streamStats
	s.events = len(events)
	report := func(format string, args ...any) {
		m.t.Errorf("seed %d, container %s: "+format+"\nstream: %v", append([]any{m.seed, c.id}, append(args, eventTypes(events))...)...)
	}
	if !c.created {
		if len(events) != 0 {
			s.duplicated += len(events)
			report("events for a container never created")
		}
		return s
	}
	count := map[EventType]int{}
	startAt := []int{}           // index of each start
	execAt := map[string]int{}   // index of each exec-started
	exitAt := map[string][]int{} // indexes of each process's exits
	for i, e := range events {
		count[e.Type]++
		switch e.Type {
		case EventCreate:
			if i != 0 {
				s.disordered++
				report("create at %d", i)
			}
		case EventStart:
			startAt = append(startAt, i)
		case EventExecAdded:
			if i+1 >= len(events) || events[i+1].Type != EventExecStarted || events[i+1].Info.ProcessID != e.Info.ProcessID {
				s.disordered++
				report("exec-added of %s not followed by its exec-started", e.Info.ProcessID)
			}
		case EventExecStarted:
			execAt[e.Info.ProcessID] = i
		case EventExit:
			exitAt[e.Info.ProcessID] = append(exitAt[e.Info.ProcessID], i)
		}
	}
	diff := func(what string, got, want int) {
		switch {
		case got < want:
			s.lost += want - got
			report("%d %s events, want %d", got, what, want)
		case got > want:
			s.duplicated += got - want
			report("%d %s events, want %d", got, what, want)
		}
	}
	diff("create", count[EventCreate], 1)
	diff("start", count[EventStart], c.starts)
	diff("exec-started", len(execAt), len(c.execs))
	diff("paused", count[EventPaused], min(max(count[EventPaused], c.pauses), c.pauses+c.latePauses))
	diff("resumed", count[EventResumed], min(max(count[EventResumed], c.resumes), c.resumes+c.lateResumes))
	// The task's exits, one per start, each after its start.
	diff("task exit", len(exitAt[c.id]), c.starts)
	for k, at := range exitAt[c.id] {
		if k < len(startAt) && at < startAt[k] {
			s.disordered++
			report("task exit %d before its start", k)
		}
	}
	for _, id := range c.execs {
		diff("exit of "+id, len(exitAt[id]), 1)
		if len(exitAt[id]) > 0 && exitAt[id][0] < execAt[id] {
			s.disordered++
			report("exit of %s before its start", id)
		}
	}
	s.processes = c.starts + len(c.execs)
	return s
}
