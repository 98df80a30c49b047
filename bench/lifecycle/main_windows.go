// Command lifecycle runs the same container lifecycles through moby
// v26.1.3's libcontainerd/local and through this library, in one run, over
// the real HCS binding: on Windows the machine's HCS, under Wine the HCS
// emulator (test/hcsemu). It prints, for each backend, the time per
// lifecycle (one container at a time, and many in parallel) and the
// goroutines and memory each running container costs.
//
//	bench/lifecycle/run-under-wine    # builds the emulator and runs this
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd/cio"
	"github.com/containerd/log"
	mobylocal "github.com/docker/docker/libcontainerd/local"
	mobytypes "github.com/docker/docker/libcontainerd/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/types"
)

// The workloads.
const (
	sequential = 20 // lifecycles one after the other
	parallel   = 20 // lifecycles at once
	running    = 20 // containers kept running for the cost per container
)

// The processes: the task runs until it is killed, the exec ends at once.
const (
	longCommand = `cmd /c ping -n 600 127.0.0.1 >NUL`
	execCommand = `cmd /c echo hello`
)

// backend runs containers through one implementation.
type backend interface {
	// start creates container id with its task running.
	start(ctx context.Context, id string) (*container, error)
}

// container is a running container of a backend.
type container struct {
	// exec runs a process in the container to its exit.
	exec func() error
	// stop kills the task, waits for its exit and deletes task and container.
	stop func() error
}

// lifecycle creates container id, starts its task, runs an exec to its
// exit, kills the task, and deletes both.
func lifecycle(ctx context.Context, b backend, id string) error {
	c, err := b.start(ctx, id)
	if err != nil {
		return err
	}
	if err := c.exec(); err != nil {
		return err
	}
	return c.stop()
}

// workloads are what the table shows, row by row.
var workloads = []struct {
	name string
	run  func(backend) (string, error)
}{
	{"lifecycle, one at a time", sequentialLifecycles},
	{"lifecycle, 20 in parallel", parallelLifecycles},
	{"goroutines per container", goroutinesPerContainer},
	{"heap per container", heapPerContainer},
}

// Each backend runs in a process of its own, so that neither's memory,
// goroutines or hcsshim state is counted to the other: without arguments
// the command runs itself once per backend and prints the table; with one,
// the backend's name, it runs that backend's workloads and prints its
// column, a value a line.
func main() {
	log.L.Logger.SetOutput(io.Discard)
	if len(os.Args) == 2 {
		if err := column(os.Args[1]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	columns := map[string][]string{}
	for _, name := range []string{"moby", "ours"} {
		exe, err := os.Executable()
		if err == nil {
			var out []byte
			out, err = exec.Command(exe, name).Output()
			columns[name] = strings.Split(strings.TrimSpace(string(out)), "\n")
		}
		if err != nil || len(columns[name]) != len(workloads) {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(1)
		}
	}
	fmt.Printf("%s, %d CPUs, %s/%s, HCS: %s\n\n", runtime.Version(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, hcsName())
	fmt.Printf("%-28s %18s %18s\n", "", "moby v26.1.3", "this library")
	for i, w := range workloads {
		fmt.Printf("%-28s %18s %18s\n", w.name, columns["moby"][i], columns["ours"][i])
	}
}

// column runs the workloads with the backend called name.
func column(name string) error {
	var b backend
	switch name {
	case "moby":
		b = newMoby()
	case "ours":
		b = newOurs()
	default:
		return fmt.Errorf("no backend %q: moby or ours", name)
	}
	// One lifecycle first, so that the workloads do not pay for what the
	// first run of anything costs (pools, lazily loaded code).
	if err := lifecycle(context.Background(), b, nextID()); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	for _, w := range workloads {
		v, err := w.run(b)
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		fmt.Println(v)
	}
	return nil
}

func hcsName() string {
	if os.Getenv("LCW_HCS_EMULATOR") == "1" {
		return "the HCS emulator under Wine"
	}
	return "the machine's"
}

var serial int64
var serialMu sync.Mutex

func nextID() string {
	serialMu.Lock()
	defer serialMu.Unlock()
	serial++
	return fmt.Sprintf("lcw-bench-%d-%d", time.Now().UnixNano(), serial)
}

func sequentialLifecycles(b backend) (string, error) {
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < sequential; i++ {
		if err := lifecycle(ctx, b, nextID()); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%.1f ms", float64(time.Since(start).Microseconds())/1000/sequential), nil
}

func parallelLifecycles(b backend) (string, error) {
	ctx := context.Background()
	start := time.Now()
	errs := make(chan error, parallel)
	for i := 0; i < parallel; i++ {
		go func() { errs <- lifecycle(ctx, b, nextID()) }()
	}
	for i := 0; i < parallel; i++ {
		if err := <-errs; err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%.1f ms", float64(time.Since(start).Microseconds())/1000/parallel), nil
}

// perRunningContainer starts the running containers and reports measure's
// difference per container.
func perRunningContainer(b backend, measure func() float64) (float64, error) {
	ctx := context.Background()
	before := measure()
	var containers []*container
	for i := 0; i < running; i++ {
		c, err := b.start(ctx, nextID())
		if err != nil {
			return 0, err
		}
		containers = append(containers, c)
	}
	after := measure()
	for _, c := range containers {
		if err := c.stop(); err != nil {
			return 0, err
		}
	}
	return (after - before) / running, nil
}

func goroutinesPerContainer(b backend) (string, error) {
	v, err := perRunningContainer(b, func() float64 {
		time.Sleep(100 * time.Millisecond) // let goroutines started settle
		return float64(runtime.NumGoroutine())
	})
	return fmt.Sprintf("%.1f", v), err
}

func heapPerContainer(b backend) (string, error) {
	v, err := perRunningContainer(b, func() float64 {
		// Twice: the second collection frees what pools (logrus's
		// buffers, say) kept through the first.
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc)
	})
	return fmt.Sprintf("%.1f KiB", v/1024), err
}

// spec is a process-isolated container running commandLine; the emulator
// accepts any layer folders.
func spec(commandLine string) *specs.Spec {
	return &specs.Spec{
		Process: &specs.Process{CommandLine: commandLine, Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: []string{`C:\hcsemu\bench\base`, `C:\hcsemu\bench\sandbox`}},
	}
}

// drain reads a process's output and drops it.
func drain(dio *cio.DirectIO) (cio.IO, error) {
	for _, r := range []io.Reader{dio.Stdout, dio.Stderr} {
		if r != nil {
			go func(r io.Reader) { _, _ = io.Copy(io.Discard, r) }(r)
		}
	}
	return dio, nil
}

// events hands each start and exit event to whoever waits for it, so that
// what is measured is never in the middle of a delivery.
type events struct {
	mu      sync.Mutex
	waiters map[string]chan struct{}
}

func newEvents() *events { return &events{waiters: make(map[string]chan struct{})} }

func (e *events) channel(event, container, process string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := event + " " + container + "/" + process
	ch, ok := e.waiters[key]
	if !ok {
		ch = make(chan struct{})
		e.waiters[key] = ch
	}
	return ch
}

func (e *events) delivered(event, container, process string) {
	if event == "start" || event == "exit" {
		close(e.channel(event, container, process))
	}
}

func (e *events) wait(event, container, process string) { <-e.channel(event, container, process) }

// ---- the two backends -------------------------------------------------
//
// The same calls twice: moby's types and ours have the same shapes but are
// distinct types.

type moby struct {
	client mobytypes.Client
	events *events
}

func newMoby() *moby {
	m := &moby{events: newEvents()}
	c, err := mobylocal.NewClient(context.Background(), nil, os.TempDir(), "bench", mobyBackend{m.events})
	if err != nil {
		panic(err)
	}
	m.client = c
	return m
}

type mobyBackend struct{ events *events }

func (b mobyBackend) ProcessEvent(id string, event mobytypes.EventType, ei mobytypes.EventInfo) error {
	b.events.delivered(string(event), id, ei.ProcessID)
	return nil
}

func (m *moby) start(ctx context.Context, id string) (*container, error) {
	ctr, err := m.client.NewContainer(ctx, id, spec(longCommand), "", nil)
	if err != nil {
		return nil, err
	}
	tsk, err := ctr.NewTask(ctx, "", false, drain)
	if err != nil {
		return nil, err
	}
	m.events.wait("start", id, id)
	return &container{
		exec: func() error {
			if _, err := tsk.Exec(ctx, id+"-exec", &specs.Process{CommandLine: execCommand}, false, drain); err != nil {
				return err
			}
			m.events.wait("exit", id, id+"-exec")
			return nil
		},
		stop: func() error {
			if err := tsk.Kill(ctx, syscall.SIGKILL); err != nil {
				return err
			}
			m.events.wait("exit", id, id)
			if _, err := tsk.Delete(ctx); err != nil {
				return err
			}
			return ctr.Delete(ctx)
		},
	}, nil
}

type ours struct {
	client types.Client
	events *events
}

func newOurs() *ours {
	o := &ours{events: newEvents()}
	c, err := local.NewClient(context.Background(), nil, os.TempDir(), "bench", oursBackend{o.events})
	if err != nil {
		panic(err)
	}
	o.client = c
	return o
}

type oursBackend struct{ events *events }

func (b oursBackend) ProcessEvent(id string, event types.EventType, ei types.EventInfo) error {
	b.events.delivered(string(event), id, ei.ProcessID)
	return nil
}

func (o *ours) start(ctx context.Context, id string) (*container, error) {
	ctr, err := o.client.NewContainer(ctx, id, spec(longCommand), "", nil)
	if err != nil {
		return nil, err
	}
	tsk, err := ctr.NewTask(ctx, "", false, drain)
	if err != nil {
		return nil, err
	}
	o.events.wait("start", id, id)
	return &container{
		exec: func() error {
			if _, err := tsk.Exec(ctx, id+"-exec", &specs.Process{CommandLine: execCommand}, false, drain); err != nil {
				return err
			}
			o.events.wait("exit", id, id+"-exec")
			return nil
		},
		stop: func() error {
			if err := tsk.Kill(ctx, syscall.SIGKILL); err != nil {
				return err
			}
			o.events.wait("exit", id, id)
			if _, err := tsk.Delete(ctx); err != nil {
				return err
			}
			return ctr.Delete(ctx)
		},
	}, nil
}
