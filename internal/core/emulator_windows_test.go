package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/windows"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/hcstest"
	"github.com/libcontainerd-windows/local/internal/machine"
)

// The emulator tests run the real binding, through hcsshim's own code,
// against the HCS emulator (test/hcsemu, vmcompute.dll) that
// .ci/wine/run-tests puts in the Wine prefix, saying so with
// LCW_HCS_EMULATOR=1. On a real Windows host they skip: its HCS is the
// integration tests' business.
func emulator(t *testing.T) hcs.Host {
	t.Helper()
	if os.Getenv("LCW_HCS_EMULATOR") != "1" {
		t.Skip("LCW_HCS_EMULATOR is not 1: no HCS emulator (test/hcsemu) under this Wine")
	}
	host, err := MachineHost()
	assert.NilError(t, err)
	return host
}

// emulatorLayers are the layer folders of the emulator's specs; the base
// layer has a Utility VM, for Hyper-V specs.
var emulatorLayers = []string{`C:\hcsemu\layers\base`, `C:\hcsemu\layers\sandbox`}

func emulatorSpec(t testing.TB, hyperV bool, commandLine string) *specs.Spec {
	t.Helper()
	s := &specs.Spec{
		Process: &specs.Process{CommandLine: commandLine, Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: emulatorLayers},
	}
	if hyperV {
		s.Root = &specs.Root{}
		s.Windows.HyperV = &specs.WindowsHyperV{}
	}
	return s
}

// helperCommand is the command line that runs this test binary as a helper
// process (see TestMain).
func helperCommand(t *testing.T, what string) string {
	exe, err := os.Executable()
	assert.NilError(t, err)
	return fmt.Sprintf(`"%s" -lcw.helper=%s`, exe, what)
}

// emulatorConformance runs the contract's suite through the real binding
// against the emulator, with commands (the suite's defaults where unset).
func emulatorConformance(t *testing.T, name string, commands hcstest.Commands) {
	host := emulator(t)
	assert.NilError(t, os.MkdirAll(emulatorLayers[0]+`\UtilityVM`, 0o755))
	document := func(hyperV bool) func(t *testing.T, id string) *hcs.ContainerConfig {
		return func(t *testing.T, id string) *hcs.ContainerConfig {
			config, _, err := Documents(context.Background(), id, emulatorSpec(t, hyperV, "cmd"), host)
			assert.NilError(t, err)
			return config
		}
	}
	hcstest.Run(t, hcstest.Config{
		Name:         name,
		NewHost:      func(*testing.T) hcs.Host { return host },
		System:       document(false),
		HyperVSystem: document(true),
		ExistingPath: emulatorLayers[0] + `\UtilityVM`,
		Commands:     commands,
		Holder:       func(*testing.T, hcs.Host) hcstest.Holder { return emulatorHolder{} },
	})
}

// emulatorHolder holds calls in the emulator's exports (HcsemuInjectHang),
// which hcsshim reaches for the seam's calls as exports names.
type emulatorHolder struct{}

var exportOf = map[string]string{
	"Statistics":    "HcsGetComputeSystemProperties",
	"CreateProcess": "HcsCreateProcess",
	"Close":         "HcsCloseComputeSystem",
	"Process.Kill":  "HcsTerminateProcess",
	"Process.Close": "HcsCloseProcess",
}

func (emulatorHolder) Hold(op string) {
	name, _ := windows.UTF16PtrFromString(exportOf[op])
	_, _, _ = injectHang.Call(uintptr(unsafe.Pointer(name)), 1)
}

func (emulatorHolder) AwaitHeld(string) {
	for {
		if n, _, _ := heldCalls.Call(); n > 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func (emulatorHolder) Release()         { _, _, _ = releaseHangs.Call() }
func (emulatorHolder) OpenHandles() int { n, _, _ := emulatorHandles.Call(); return int(n) }

// Calls reads the emulator's count of op's export.
func (emulatorHolder) Calls(op string) int {
	var text *uint16
	_, _, _ = callCounts.Call(uintptr(unsafe.Pointer(&text)))
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(text))) //nolint:errcheck // a test's memory
	for _, line := range strings.Split(windows.UTF16PtrToString(text), "\n") {
		if export, n, ok := strings.Cut(line, " "); ok && export == exportOf[op] {
			calls, _ := strconv.Atoi(n)
			return calls
		}
	}
	return 0
}

// The real binding keeps the contract of the seam against the emulator.
func TestEmulatorConformance(t *testing.T) {
	emulatorConformance(t, "hcsshim and the HCS emulator under Wine", hcstest.Commands{
		Long: helperCommand(t, "sleep"),
		Cat:  helperCommand(t, "cat"),
	})
}

// The emulator's simulated processes (HCSEMU_SIMULATE=1, the benchmarks'
// mode) keep the contract too, with the suite's default command lines:
// the test runs itself again with the mode on, since the emulator reads it
// as it loads.
func TestEmulatorConformanceSimulated(t *testing.T) {
	if os.Getenv("HCSEMU_SIMULATE") == "1" {
		emulatorConformance(t, "hcsshim and the HCS emulator's simulated processes under Wine", hcstest.Commands{})
		return
	}
	emulator(t)
	exe, err := os.Executable()
	assert.NilError(t, err)
	cmd := exec.Command(exe, "-test.run", "^TestEmulatorConformanceSimulated$", "-test.v")
	cmd.Env = append(os.Environ(), "HCSEMU_SIMULATE=1")
	out, err := cmd.CombinedOutput()
	assert.NilError(t, err, "%s", out)
	for _, line := range strings.Split(string(out), "\n") {
		if i := strings.Index(line, "ci: "); i >= 0 {
			t.Log(line[i:])
		}
	}
	assert.Check(t, everyClausePassed(string(out)), "%s", out)
}

// everyClausePassed reads hcstest's summary in out: every clause passed,
// none skipped.
func everyClausePassed(out string) bool {
	_, summary, ok := strings.Cut(out, "under Wine: ")
	if !ok {
		return false
	}
	var passed, total, skipped, failed int
	_, err := fmt.Sscanf(summary, "%d of %d clauses passed, %d skipped, %d failed", &passed, &total, &skipped, &failed)
	return err == nil && passed == total && total > 0 && skipped == 0 && failed == 0
}

var (
	emulatorDLL      = windows.NewLazySystemDLL("vmcompute.dll")
	injectFault      = emulatorDLL.NewProc("HcsemuInjectFault")
	clearFaults      = emulatorDLL.NewProc("HcsemuClearFaults")
	emulatorHandles  = emulatorDLL.NewProc("HcsemuOpenHandles")
	injectHang       = emulatorDLL.NewProc("HcsemuInjectHang")
	releaseHangs     = emulatorDLL.NewProc("HcsemuReleaseHangs")
	heldCalls        = emulatorDLL.NewProc("HcsemuHeldCalls")
	callCounts       = emulatorDLL.NewProc("HcsemuCallCounts")
	emulatorCommand  = `cmd /c echo hello`
	emulatorExitCode = `cmd /c exit 3`
)

// inject makes the emulator's export op answer hr, times times.
func inject(t *testing.T, op string, hr uint32, times int) {
	t.Helper()
	name, err := windows.UTF16PtrFromString(op)
	assert.NilError(t, err)
	_, _, _ = injectFault.Call(uintptr(unsafe.Pointer(name)), uintptr(hr), 0, uintptr(times))
	t.Cleanup(func() { _, _, _ = clearFaults.Call() })
}

func openHandles() int {
	n, _, _ := emulatorHandles.Call()
	return int(n)
}

// Each error HCS answers comes back from the binding with the seam's class
// and hcsshim's own error, its text included.
func TestEmulatorErrorMapping(t *testing.T) {
	host := emulator(t)
	newSystem := func(t *testing.T, id string) hcs.System {
		config, _, err := Documents(context.Background(), id, emulatorSpec(t, false, "cmd"), host)
		assert.NilError(t, err)
		sys, err := host.CreateSystem(context.Background(), id, config)
		assert.NilError(t, err)
		t.Cleanup(func() {
			if err := sys.Terminate(context.Background()); errors.Is(err, hcs.ErrPending) {
				_ = sys.Wait(context.Background())
			}
			_ = sys.Close(context.Background())
		})
		return sys
	}
	for _, tc := range []struct {
		name  string
		op    string
		hr    uint32
		class error
		call  func(t *testing.T, sys hcs.System) error
	}{
		{"start: already stopped", "HcsStartComputeSystem", 0xC0370110, hcs.ErrAlreadyStopped,
			func(t *testing.T, sys hcs.System) error { return sys.Start(context.Background()) }},
		{"statistics: invalid state", "HcsGetComputeSystemProperties", 0xC0370105, hcs.ErrInvalidState,
			func(t *testing.T, sys hcs.System) error { _, err := sys.Statistics(context.Background()); return err }},
		{"open: not found", "HcsOpenComputeSystem", 0xC037010E, hcs.ErrNotExist,
			func(t *testing.T, sys hcs.System) error {
				_, err := host.OpenSystem(context.Background(), "hcsemu-any")
				return err
			}},
		{"shutdown: pending", "HcsShutdownComputeSystem", 0xC0370103, hcs.ErrPending,
			func(t *testing.T, sys hcs.System) error { return sys.Shutdown(context.Background()) }},
		{"create process: invalid state", "HcsCreateProcess", 0xC0370105, hcs.ErrInvalidState,
			func(t *testing.T, sys hcs.System) error {
				_, err := sys.CreateProcess(context.Background(), &hcs.ProcessConfig{CommandLine: emulatorCommand})
				return err
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := newSystem(t, fmt.Sprintf("hcsemu-map-%d", time.Now().UnixNano()))
			if tc.op != "HcsStartComputeSystem" {
				assert.NilError(t, sys.Start(context.Background()))
			}
			inject(t, tc.op, tc.hr, 1)
			err := tc.call(t, sys)
			assert.Check(t, errors.Is(err, tc.class), "%v", err)
			assert.Check(t, errors.Is(machine.InnerError(err), syscall.Errno(tc.hr)), "HCS's code is kept: %v", err)
			assert.Check(t, strings.Contains(err.Error(), fmt.Sprintf("winapi error #%d", tc.hr)), "hcsshim's text: %v", err)
		})
	}

	// hcsshim takes HCS's word that a process already stopped, on a kill,
	// as a kill delivered: nil.
	t.Run("kill: process already stopped", func(t *testing.T) {
		sys := newSystem(t, fmt.Sprintf("hcsemu-map-%d", time.Now().UnixNano()))
		assert.NilError(t, sys.Start(context.Background()))
		p, err := sys.CreateProcess(context.Background(), &hcs.ProcessConfig{CommandLine: helperCommand(t, "sleep")})
		assert.NilError(t, err)
		defer p.Close(context.Background())
		inject(t, "HcsTerminateProcess", 0x8037011F, 1)
		assert.NilError(t, p.Kill(context.Background()))
	})
}

// startOnEmulator starts a container, its id prefix and a time, whose task
// sleeps, through a client over the emulator, its events recorded; the
// test's end waits for the client's events. handles is the emulator's
// count of open handles before.
func startOnEmulator(t *testing.T, prefix string) (handles int, rec *recorder, id string, ctr *Container, tsk *Task) {
	t.Helper()
	host := emulator(t)
	handles = openHandles()
	ctx := context.Background()
	rec = newRecorder()
	c, err := NewClient(Logger(ctx), Moby26, rec, WithHost(host))
	assert.NilError(t, err)
	t.Cleanup(c.eventQ.Wait)
	id = fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
	ctr, err = c.NewContainer(ctx, id, emulatorSpec(t, false, helperCommand(t, "sleep")))
	assert.NilError(t, err)
	tsk, err = ctr.NewTask(ctx, (&output{}).attach)
	assert.NilError(t, err)
	return handles, rec, id, ctr, tsk
}

// checkReports checks that a running task's statistics and process list
// report something.
func checkReports(t *testing.T, tsk *Task) {
	t.Helper()
	stats, _, err := tsk.Stats(context.Background())
	assert.NilError(t, err)
	assert.Check(t, stats.Memory.UsageCommitBytes > 0)
	summary, err := tsk.Summary(context.Background())
	assert.NilError(t, err)
	assert.Check(t, len(summary) > 0)
}

// A container's life through the backend, the real binding and hcsshim:
// events, output, exit codes, and every handle released.
func TestEmulatorLifecycle(t *testing.T) {
	ctx := context.Background()
	before, rec, id, ctr, tsk := startOnEmulator(t, "hcsemu-life")

	out := &output{}
	_, err := tsk.Exec(ctx, "e1", &specs.Process{CommandLine: emulatorCommand}, out.attach)
	assert.NilError(t, err)
	stdout, _ := out.wait()
	assert.Equal(t, strings.TrimSpace(stdout), "hello")
	_, err = tsk.Exec(ctx, "e2", &specs.Process{CommandLine: emulatorExitCode}, (&output{}).attach)
	assert.NilError(t, err)
	rec.awaitUntil(id, func(events []event) bool {
		for _, e := range events {
			if e.Type == EventExit && e.Info.ProcessID == "e2" {
				return true
			}
		}
		return false
	})

	checkReports(t, tsk)

	assert.NilError(t, tsk.Kill(ctx, syscall.SIGTERM))
	events := rec.await(id, 9)
	exits := map[string]uint32{}
	for _, e := range events {
		if e.Type == EventExit {
			exits[e.Info.ProcessID] = e.Info.ExitCode
		}
	}
	assert.DeepEqual(t, exits, map[string]uint32{"e1": 0, "e2": 3, id: 0xC000013A})
	_, err = tsk.Delete(ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(ctx))
	assert.Equal(t, openHandles(), before, "every handle released")
}

// Where HCS answers pending and notifies the completion later, hcsshim
// waits for the notification: the seam's Create, Start, Pause and Resume
// never answer pending, as the contract says.
func TestEmulatorPendingCompletes(t *testing.T) {
	host := emulator(t)
	for _, op := range []string{"HcsCreateComputeSystem", "HcsStartComputeSystem", "HcsPauseComputeSystem", "HcsResumeComputeSystem"} {
		inject(t, op, 0xC0370103, 1)
	}
	id := fmt.Sprintf("hcsemu-pending-%d", time.Now().UnixNano())
	config, _, err := Documents(context.Background(), id, emulatorSpec(t, true, "cmd"), host)
	assert.NilError(t, err)
	sys, err := host.CreateSystem(context.Background(), id, config)
	assert.NilError(t, err)
	defer sys.Close(context.Background())
	assert.NilError(t, sys.Start(context.Background()))
	assert.NilError(t, sys.Pause(context.Background()))
	assert.NilError(t, sys.Resume(context.Background()))
	if err := sys.Terminate(context.Background()); errors.Is(err, hcs.ErrPending) {
		assert.NilError(t, sys.Wait(context.Background()))
	}
}

// When hcsshim's Kill of a process cannot open its second handle on the
// system, it terminates the system and closes the handle the process came
// from, the container's own (internal/hcs/process.go). The container then
// answers with classes, and its Delete succeeds once the system is gone
// (D1 of the hang issue; moby's Delete fails there, unclassed).
func TestEmulatorKillWhoseSecondOpenFails(t *testing.T) {
	ctx := context.Background()
	before, _, _, ctr, tsk := startOnEmulator(t, "hcsemu-kill")
	p, err := tsk.Exec(ctx, "e1", &specs.Process{CommandLine: helperCommand(t, "sleep")}, (&output{}).attach)
	assert.NilError(t, err)

	inject(t, "HcsOpenComputeSystem", 0x80004005, 1) // E_FAIL
	assert.NilError(t, p.Kill(ctx, syscall.SIGKILL))
	<-tsk.waitCh
	<-p.waitCh

	_, _, err = tsk.Stats(ctx)
	assert.Check(t, isNotFound(err), "%v", err)
	_, err = tsk.Exec(ctx, "e2", &specs.Process{CommandLine: emulatorCommand}, (&output{}).attach)
	assert.Check(t, isNotFound(err), "%v", err)
	_, err = tsk.Delete(ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(ctx))
	assert.Equal(t, openHandles(), before)
}

// The model with hangs runs through the real binding against the
// emulator's simulated processes (HCSEMU_SIMULATE=1, so the test runs
// itself again with the mode on), its faults and hangs injected into the
// emulator's exports.
func TestEmulatorModelWithHangs(t *testing.T) {
	if os.Getenv("HCSEMU_SIMULATE") == "1" {
		host := emulator(t)
		assert.NilError(t, os.MkdirAll(emulatorLayers[0]+`\UtilityVM`, 0o755))
		runModel(t, &emulatorModelHost{Host: host, handles: openHandles()}, true)
		return
	}
	emulator(t)
	exe, err := os.Executable()
	assert.NilError(t, err)
	cmd := exec.Command(exe, "-test.run", "^TestEmulatorModelWithHangs$", "-test.v", "-test.timeout", "10m")
	// 8 goroutines of 40 calls, unless LCW_MODEL_ACTORS and
	// LCW_MODEL_STEPS say otherwise.
	cmd.Env = append([]string{"LCW_MODEL_ACTORS=8", "LCW_MODEL_STEPS=40"}, os.Environ()...)
	cmd.Env = append(cmd.Env, "HCSEMU_SIMULATE=1")
	out, err := cmd.CombinedOutput()
	assert.NilError(t, err, "%s", out)
	found := false
	for _, line := range strings.Split(string(out), "\n") {
		if i := strings.Index(line, "ci: "); i >= 0 {
			t.Log(line[i:] + " (through hcsshim against the emulator)")
			found = true
		}
	}
	assert.Check(t, found, "%s", out)
}

// emulatorModelHost is the binding against the emulator, whose faults are
// an export's: they reach every container.
type emulatorModelHost struct {
	hcs.Host
	handles int // open before the run
}

// modelExports are the exports the model's faults target; not the Close
// ones, whose refusal would leave a handle open by design.
var modelExports = []string{
	"HcsCreateComputeSystem", "HcsOpenComputeSystem", "HcsStartComputeSystem", "HcsShutdownComputeSystem",
	"HcsTerminateComputeSystem", "HcsPauseComputeSystem", "HcsResumeComputeSystem", "HcsGetComputeSystemProperties",
	"HcsCreateProcess", "HcsTerminateProcess", "HcsGetProcessProperties",
}

func (*emulatorModelHost) spec(t testing.TB, hyperV bool, command string) *specs.Spec {
	return emulatorSpec(t, hyperV, command)
}

func (*emulatorModelHost) injectFault(a *actor) bool {
	export := modelExports[a.r.Intn(len(modelExports))]
	name, _ := windows.UTF16PtrFromString(export)
	switch k := a.r.Intn(8); {
	case k < 4:
		// Already stopped, invalid state, not found, E_FAIL.
		codes := []uint32{0xC0370110, 0xC0370105, 0xC037010E, 0x80004005}
		_, _, _ = injectFault.Call(uintptr(unsafe.Pointer(name)), uintptr(codes[a.r.Intn(len(codes))]), 0, 1)
	case k < 5:
		_, _, _ = injectFault.Call(uintptr(unsafe.Pointer(name)), 0xC0370103, 0, 1) // pending
	case k < 6:
		_, _, _ = injectFault.Call(uintptr(unsafe.Pointer(name)), 0, uintptr(1+a.r.Intn(3)), 1) // a delay
	default:
		// Held until every goroutine made its calls.
		_, _, _ = injectHang.Call(uintptr(unsafe.Pointer(name)), 1)
		a.m.hung.Add(1)
	}
	return true
}

// releaseHangs disarms the faults left, so that no clean-up meets a hang,
// and lets the held calls go on.
func (*emulatorModelHost) releaseHangs() {
	_, _, _ = clearFaults.Call()
	_, _, _ = releaseHangs.Call()
}

func (*emulatorModelHost) clearFaults(string) { _, _, _ = clearFaults.Call() }

func (h *emulatorModelHost) running(id string) bool {
	ctx := context.Background()
	hc, err := h.OpenSystem(ctx, id)
	if err != nil {
		return false
	}
	defer hc.Close(ctx) //nolint:errcheck // a probe's handle
	return errors.Is(hc.WaitTimeout(ctx, time.Second), hcs.ErrTimeout)
}

func (h *emulatorModelHost) awaitReleased() {
	for openHandles() > h.handles {
		time.Sleep(time.Millisecond)
	}
}
