// Command lifecycle runs the same container lifecycles through moby
// v26.1.3's libcontainerd/local and through this library over the real HCS
// binding: on Windows the machine's HCS, under Wine the HCS emulator
// (test/hcsemu), whose simulated processes (HCSEMU_SIMULATE=1) leave a
// lifecycle the cost of hcsshim, the backend and Wine's own calls. Each
// backend runs in processes of its own, in interleaved rounds (moby, ours,
// ours, moby, ...), and the table shows each figure's median over the
// rounds with the fastest and slowest round: the time per lifecycle one
// at a time and 20 at once, the goroutines and heap per running container,
// and (under the emulator) the HCS calls per lifecycle, export by export.
// With "scale" it starts 1, 50 and 200 containers and shows what starting
// them, a lifecycle among them and each of them cost.
//
//	bench/lifecycle/run-under-wine [-rounds N | scale]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/log"
	mobylocal "github.com/docker/docker/libcontainerd/local"
	mobytypes "github.com/docker/docker/libcontainerd/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/windows"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/types"
)

// The workloads.
const (
	sequential = 20 // lifecycles one after the other
	parallel   = 20 // lifecycles at once
	running    = 20 // containers kept running for the cost per container
	counted    = 10 // lifecycles whose HCS calls are counted
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

// workloads are what a round measures, row by row: a name, its unit, and
// the measure, one figure per run.
var workloads = []struct {
	name, unit string
	run        func(backend) (float64, error)
}{
	{"lifecycle, one at a time", "ms", sequentialLifecycles},
	{"lifecycle, 20 at once", "ms", parallelLifecycles},
	{"goroutines per container", "", goroutinesPerContainer},
	{"heap per container", "KiB", heapPerContainer},
}

// main runs the rounds, each backend's in a process of its own so that
// neither's memory, goroutines or hcsshim state is counted to the other: a
// child, run with the backend's name, prints its figures as "NAME VALUE"
// lines, and the parent tabulates them.
func main() {
	log.L.Logger.SetOutput(io.Discard)
	rounds := flag.Int("rounds", 5, "rounds of each backend")
	child := flag.String("child", "", "run one backend's round (moby or ours) and print its figures")
	flag.Parse()
	var err error
	switch {
	case *child != "" && flag.Arg(0) == "scale":
		err = scaleChild(*child)
	case *child != "":
		err = roundChild(*child)
	case flag.Arg(0) == "scale":
		err = scaleTable()
	default:
		err = roundsTable(*rounds)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// figures are a child's output: each name's values, one a round.
type figures map[string][]float64

// runChild runs one child and adds its figures to into.
func runChild(into figures, backendName string, args ...string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	out, err := exec.Command(exe, append([]string{"-child", backendName}, args...)...).Output()
	if err != nil {
		return fmt.Errorf("%s: %w", backendName, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		i := strings.LastIndex(line, " ")
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			return fmt.Errorf("%s: a line that is not NAME VALUE: %q", backendName, line)
		}
		into[line[:i]] = append(into[line[:i]], v)
	}
	return nil
}

// order is who runs round i: moby, ours, ours, moby, moby, ours, ...
func order(i int) string {
	if i%4 == 0 || i%4 == 3 {
		return "moby"
	}
	return "ours"
}

func roundsTable(rounds int) error {
	all := map[string]figures{"moby": {}, "ours": {}}
	for i := 0; i < 2*rounds; i++ {
		name := order(i)
		if err := runChild(all[name], name); err != nil {
			return err
		}
	}
	fmt.Printf("%s, %d CPUs, %s/%s, HCS: %s, %d rounds of each backend in ABBA order\n", runtime.Version(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, hcsName(), rounds)
	fmt.Printf("median of the rounds [fastest, slowest round]\n\n")
	fmt.Printf("%-36s %-28s %s\n", "", "moby v26.1.3", "this library")
	for _, w := range workloads {
		fmt.Printf("%-36s %-28s %s\n", w.name, cell(all["moby"][w.name], w.unit), cell(all["ours"][w.name], w.unit))
	}
	if _, ok := all["ours"]["calls"]; !ok {
		return nil
	}
	fmt.Printf("\nHCS calls per lifecycle, counted by the emulator (median of the rounds)\n\n")
	fmt.Printf("%-36s %-28s %s\n", "all", cell(all["moby"]["calls"], ""), cell(all["ours"]["calls"], ""))
	var exports []string
	for name := range all["moby"] {
		exports = append(exports, name)
	}
	for name := range all["ours"] {
		if _, ok := all["moby"][name]; !ok {
			exports = append(exports, name)
		}
	}
	sort.Strings(exports)
	for _, name := range exports {
		if export, ok := strings.CutPrefix(name, "calls of "); ok {
			fmt.Printf("  %-34s %-28s %s\n", export, cell(all["moby"][name], ""), cell(all["ours"][name], ""))
		}
	}
	return nil
}

// cell is values' median and range, with their unit.
func cell(values []float64, unit string) string {
	if len(values) == 0 {
		return "0"
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	format := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	text := format(s[len(s)/2])
	if s[0] != s[len(s)-1] {
		text += " [" + format(s[0]) + ", " + format(s[len(s)-1]) + "]"
	}
	if unit != "" {
		text += " " + unit
	}
	return text
}

func newBackend(name string) (backend, error) {
	switch name {
	case "moby":
		return newMoby(), nil
	case "ours":
		return newOurs(), nil
	}
	return nil, fmt.Errorf("no backend %q: moby or ours", name)
}

// warmBackend is the backend called name after one lifecycle, so that
// what is measured next does not pay for what the first run of anything
// costs (pools, lazily loaded code).
func warmBackend(name string) (backend, error) {
	b, err := newBackend(name)
	if err != nil {
		return nil, err
	}
	if err := lifecycle(context.Background(), b, nextID()); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	return b, nil
}

// roundChild runs one round's workloads with the backend called name.
func roundChild(name string) error {
	b, err := warmBackend(name)
	if err != nil {
		return err
	}
	for _, w := range workloads {
		v, err := w.run(b)
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		fmt.Printf("%s %g\n", w.name, v)
	}
	if !emulated() {
		return nil
	}
	resetCalls()
	for i := 0; i < counted; i++ {
		if err := lifecycle(context.Background(), b, nextID()); err != nil {
			return err
		}
	}
	total := 0.0
	for export, n := range calls() {
		fmt.Printf("calls of %s %g\n", export, float64(n)/counted)
		total += float64(n) / counted
	}
	fmt.Printf("calls %g\n", total)
	return nil
}

// The emulator's call counts (test/hcsemu).
var (
	emulator    = windows.NewLazySystemDLL("vmcompute.dll")
	callCounts  = emulator.NewProc("HcsemuCallCounts")
	resetCounts = emulator.NewProc("HcsemuResetCallCounts")
)

func emulated() bool { return os.Getenv("LCW_HCS_EMULATOR") == "1" && callCounts.Find() == nil }

func resetCalls() { _, _, _ = resetCounts.Call() }

// calls returns the emulator's count of each export's calls since
// resetCalls; HCS's callback registrations and their notifications
// included.
func calls() map[string]int {
	var text *uint16
	_, _, _ = callCounts.Call(uintptr(unsafe.Pointer(&text)))
	counts := map[string]int{}
	for _, line := range strings.Split(windows.UTF16PtrToString(text), "\n") {
		if export, n, ok := strings.Cut(line, " "); ok {
			if v, err := strconv.Atoi(n); err == nil && v > 0 {
				counts[export] = v
			}
		}
	}
	_, _ = windows.LocalFree(windows.Handle(unsafe.Pointer(text)))
	return counts
}

func hcsName() string {
	switch {
	case os.Getenv("LCW_HCS_EMULATOR") != "1":
		return "the machine's"
	case os.Getenv("HCSEMU_SIMULATE") == "1":
		return "the HCS emulator under Wine, processes simulated"
	}
	return "the HCS emulator under Wine, processes real"
}

var serial int64
var serialMu sync.Mutex

func nextID() string {
	serialMu.Lock()
	defer serialMu.Unlock()
	serial++
	return fmt.Sprintf("lcw-bench-%d-%d", time.Now().UnixNano(), serial)
}

func sequentialLifecycles(b backend) (float64, error) {
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < sequential; i++ {
		if err := lifecycle(ctx, b, nextID()); err != nil {
			return 0, err
		}
	}
	return ms(time.Since(start)) / sequential, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func parallelLifecycles(b backend) (float64, error) {
	ctx := context.Background()
	start := time.Now()
	errs := make(chan error, parallel)
	for i := 0; i < parallel; i++ {
		go func() { errs <- lifecycle(ctx, b, nextID()) }()
	}
	for i := 0; i < parallel; i++ {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return ms(time.Since(start)) / parallel, nil
}

// perRunningContainer starts n running containers and reports measure's
// difference per container.
func perRunningContainer(b backend, n int, measure func() float64) (float64, error) {
	before := measure()
	containers, err := startMany(b, n)
	if err != nil {
		return 0, err
	}
	after := measure()
	return (after - before) / float64(n), stopAll(containers)
}

func startMany(b backend, n int) ([]*container, error) {
	var containers []*container
	for i := 0; i < n; i++ {
		c, err := b.start(context.Background(), nextID())
		if err != nil {
			return nil, err
		}
		containers = append(containers, c)
	}
	return containers, nil
}

func stopAll(containers []*container) error {
	for _, c := range containers {
		if err := c.stop(); err != nil {
			return err
		}
	}
	return nil
}

func goroutinesPerContainer(b backend) (float64, error) {
	return perRunningContainer(b, running, goroutines)
}

func heapPerContainer(b backend) (float64, error) {
	v, err := perRunningContainer(b, running, heap)
	return v / 1024, err
}

func goroutines() float64 {
	time.Sleep(100 * time.Millisecond) // let goroutines started settle
	return float64(runtime.NumGoroutine())
}

func heap() float64 {
	// Twice: the second collection frees what pools (logrus's buffers,
	// say) kept through the first.
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
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
// moby's types and ours have the same shapes but are distinct types: one
// generic backend makes the same calls through either set.

// The calls of the workloads, over either set of types: CB is the set's
// StdioCallback, T its Task, P its Process.
type (
	stdioCallback interface {
		~func(*cio.DirectIO) (cio.IO, error)
	}
	containerAPI[CB stdioCallback, T any] interface {
		NewTask(ctx context.Context, checkpointDir string, withStdin bool, attachStdio CB) (T, error)
		Delete(context.Context) error
	}
	taskAPI[CB stdioCallback, P any] interface {
		Exec(ctx context.Context, processID string, spec *specs.Process, withStdin bool, attachStdio CB) (P, error)
		Kill(ctx context.Context, signal syscall.Signal) error
		Delete(context.Context) (*containerd.ExitStatus, error)
	}
)

// backendOf is a backend over one set of types; newContainer is its
// client's NewContainer.
type backendOf[CB stdioCallback, T taskAPI[CB, P], P any, C containerAPI[CB, T]] struct {
	newContainer func(ctx context.Context, id string, spec *specs.Spec) (C, error)
	events       *events
}

func newMoby() backend {
	events := newEvents()
	c, err := mobylocal.NewClient(context.Background(), nil, os.TempDir(), "bench", mobyBackend{events})
	if err != nil {
		panic(err)
	}
	return &backendOf[mobytypes.StdioCallback, mobytypes.Task, mobytypes.Process, mobytypes.Container]{
		newContainer: func(ctx context.Context, id string, spec *specs.Spec) (mobytypes.Container, error) {
			return c.NewContainer(ctx, id, spec, "", nil)
		},
		events: events,
	}
}

func newOurs() backend {
	events := newEvents()
	c, err := local.NewClient(context.Background(), nil, os.TempDir(), "bench", oursBackend{events})
	if err != nil {
		panic(err)
	}
	return &backendOf[types.StdioCallback, types.Task, types.Process, types.Container]{
		newContainer: func(ctx context.Context, id string, spec *specs.Spec) (types.Container, error) {
			return c.NewContainer(ctx, id, spec, "", nil)
		},
		events: events,
	}
}

type mobyBackend struct{ events *events }

func (b mobyBackend) ProcessEvent(id string, event mobytypes.EventType, ei mobytypes.EventInfo) error {
	b.events.delivered(string(event), id, ei.ProcessID)
	return nil
}

type oursBackend struct{ events *events }

func (b oursBackend) ProcessEvent(id string, event types.EventType, ei types.EventInfo) error {
	b.events.delivered(string(event), id, ei.ProcessID)
	return nil
}

func (b *backendOf[CB, T, P, C]) start(ctx context.Context, id string) (*container, error) {
	ctr, err := b.newContainer(ctx, id, spec(longCommand))
	if err != nil {
		return nil, err
	}
	tsk, err := ctr.NewTask(ctx, "", false, drain)
	if err != nil {
		return nil, err
	}
	b.events.wait("start", id, id)
	return &container{
		exec: func() error {
			if _, err := tsk.Exec(ctx, id+"-exec", &specs.Process{CommandLine: execCommand}, false, drain); err != nil {
				return err
			}
			b.events.wait("exit", id, id+"-exec")
			return nil
		},
		stop: func() error {
			if err := tsk.Kill(ctx, syscall.SIGKILL); err != nil {
				return err
			}
			b.events.wait("exit", id, id)
			if _, err := tsk.Delete(ctx); err != nil {
				return err
			}
			return ctr.Delete(ctx)
		},
	}, nil
}
