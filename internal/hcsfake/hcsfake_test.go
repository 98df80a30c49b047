package hcsfake

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func create(t *testing.T, h *Host, id string, hv bool) hcs.System {
	t.Helper()
	c, err := h.CreateSystem(context.Background(), id, document(id, hv))
	assert.NilError(t, err)
	return c
}

// document is a valid container document for id.
func document(id string, hv bool) *hcs.ContainerConfig {
	c := &hcs.ContainerConfig{
		SystemType:      "Container",
		Name:            id,
		LayerFolderPath: `C:\layers\sandbox`,
		Layers:          []hcs.Layer{{ID: "bd9c3ef9-f239-59b5-a27e-15c523b1d149", Path: `C:\layers\base`}},
		VolumePath:      `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}`,
	}
	if hv {
		c.VolumePath = ""
		c.HvPartition = true
		c.HvRuntime = &hcs.HvRuntime{ImagePath: `C:\layers\base\UtilityVM`}
	}
	return c
}

// HCS refuses documents the backend must never send.
func TestInvalidDocuments(t *testing.T) {
	h := New(2)
	for name, change := range map[string]func(*hcs.ContainerConfig){
		"system type":      func(c *hcs.ContainerConfig) { c.SystemType = "VirtualMachine" },
		"name":             func(c *hcs.ContainerConfig) { c.Name = "other" },
		"no layers":        func(c *hcs.ContainerConfig) { c.Layers = nil },
		"layer id":         func(c *hcs.ContainerConfig) { c.Layers[0].ID = "base" },
		"no scratch":       func(c *hcs.ContainerConfig) { c.LayerFolderPath = "" },
		"volume":           func(c *hcs.ContainerConfig) { c.VolumePath += `\` },
		"hyper-v runtime":  func(c *hcs.ContainerConfig) { c.HvPartition = true },
		"devices":          func(c *hcs.ContainerConfig) { c.AssignedDevices = []hcs.AssignedDevice{{}} },
		"processors":       func(c *hcs.ContainerConfig) { c.ProcessorCount = 3 },
		"memory":           func(c *hcs.ContainerConfig) { c.MemoryMaximumInMB = -1 },
		"hyper-v no image": func(c *hcs.ContainerConfig) { c.HvRuntime.ImagePath = "" },
		"hyper-v volume":   func(c *hcs.ContainerConfig) { c.VolumePath = "x" },
	} {
		hv := strings.HasPrefix(name, "hyper-v ") && name != "hyper-v runtime" || name == "devices"
		c := document("c1", hv)
		change(c)
		_, err := h.CreateSystem(context.Background(), "c1", c)
		assert.Check(t, errors.Is(err, ErrInvalidDocument), "%s: %v", name, err)
	}
	assert.Check(t, is.Len(h.Systems(), 0))
}

func run(t *testing.T, c hcs.System, commandLine string) (hcs.Process, io.WriteCloser, io.ReadCloser, io.ReadCloser) {
	t.Helper()
	p, err := c.CreateProcess(context.Background(), &hcs.ProcessConfig{CommandLine: commandLine, CreateStdInPipe: true, CreateStdOutPipe: true, CreateStdErrPipe: true})
	assert.NilError(t, err)
	in, out, errOut, err := p.Stdio()
	assert.NilError(t, err)
	return p, in, out, errOut
}

func stop(t *testing.T, c hcs.System) {
	t.Helper()
	assert.Check(t, errors.Is(c.Terminate(context.Background()), hcs.ErrPending))
	assert.NilError(t, c.Wait(context.Background()))
	assert.NilError(t, c.Close(context.Background()))
}

func TestSystemStates(t *testing.T) {
	h := New(2)
	c := create(t, h, "c1", false)
	state, _ := h.State("c1")
	assert.Equal(t, state, StateCreated)
	_, err := c.CreateProcess(context.Background(), &hcs.ProcessConfig{})
	assert.Check(t, errors.Is(err, hcs.ErrInvalidState), "not started")
	_, err = c.Statistics(context.Background())
	assert.Check(t, errors.Is(err, hcs.ErrInvalidState))

	assert.NilError(t, c.Start(context.Background()))
	assert.Check(t, errors.Is(c.Start(context.Background()), hcs.ErrInvalidState), "started twice")
	assert.Check(t, errors.Is(c.Pause(context.Background()), hcs.ErrInvalidState), "process isolation cannot pause")

	_, err = h.CreateSystem(context.Background(), "c1", document("c1", false))
	assert.Check(t, errors.Is(err, ErrAlreadyExists))

	assert.Check(t, errors.Is(c.Shutdown(context.Background()), hcs.ErrPending))
	assert.NilError(t, c.Wait(context.Background()))
	state, _ = h.State("c1")
	assert.Equal(t, state, StateStopped)
	assert.Check(t, errors.Is(c.Shutdown(context.Background()), hcs.ErrPending), "pending even when stopped, as HCS")
	assert.Check(t, errors.Is(c.Start(context.Background()), hcs.ErrAlreadyStopped))
	assert.Check(t, errors.Is(c.Pause(context.Background()), hcs.ErrAlreadyStopped))
	_, err = c.ProcessList(context.Background())
	assert.Check(t, errors.Is(err, hcs.ErrAlreadyStopped))

	assert.NilError(t, c.Close(context.Background()))
	assert.NilError(t, c.Close(context.Background()), "closing twice is fine")
	assert.Check(t, errors.Is(c.Start(context.Background()), hcs.ErrAlreadyClosed))
	assert.NilError(t, c.Wait(context.Background()), "the stop was seen before the Close, as in hcsshim")
	_, ok := h.State("c1")
	assert.Check(t, !ok, "a stopped system without handles goes away")
	_, err = h.OpenSystem(context.Background(), "c1")
	assert.Check(t, errors.Is(err, hcs.ErrNotExist))
}

func TestPauseResumeHyperV(t *testing.T) {
	h := New(2)
	c := create(t, h, "c1", true)
	assert.NilError(t, c.Start(context.Background()))
	assert.Check(t, errors.Is(c.Resume(context.Background()), hcs.ErrInvalidState), "not paused")
	assert.NilError(t, c.Pause(context.Background()))
	state, _ := h.State("c1")
	assert.Equal(t, state, StatePaused)
	_, err := c.CreateProcess(context.Background(), &hcs.ProcessConfig{})
	assert.Check(t, errors.Is(err, hcs.ErrInvalidState))
	assert.NilError(t, c.Resume(context.Background()))
	stop(t, c)
}

func TestScripts(t *testing.T) {
	h := New(2)
	c := create(t, h, "c1", false)
	assert.NilError(t, c.Start(context.Background()))
	for _, tc := range []struct {
		commandLine, stdin, stdout, stderr string
		code                               int
	}{
		{`cmd /c echo hello`, "", "hello\n", "", 0},
		{`cmd.exe /S /C "echo hi & echo oops 1>&2 && exit /b 4"`, "", "hi\n", "oops\n", 4},
		{`CMD /C Exit 12`, "", "", "", 12},
		{`cat`, "in\r\nput", "in\r\nput", "", 0},
		{`more & echo done`, "x", "xdone\n", "", 0},
	} {
		p, in, out, errOut := run(t, c, tc.commandLine)
		_, _ = io.WriteString(in, tc.stdin)
		assert.NilError(t, p.CloseStdin(context.Background()))
		stdout, _ := io.ReadAll(out)
		stderr, _ := io.ReadAll(errOut)
		assert.NilError(t, p.Wait(context.Background()))
		code, err := p.ExitCode(context.Background())
		assert.NilError(t, err)
		assert.Check(t, is.Equal(string(stdout), tc.stdout), tc.commandLine)
		assert.Check(t, is.Equal(string(stderr), tc.stderr), tc.commandLine)
		assert.Check(t, is.Equal(code, tc.code), tc.commandLine)
		assert.NilError(t, p.Close(context.Background()))
	}
	stop(t, c)
}

func TestProcessEndsWithItsSystem(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(hcs.System, context.Context) error
		code int
	}{
		{"shutdown", hcs.System.Shutdown, ExitCodeShutdown},
		{"terminate", hcs.System.Terminate, 77},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := New(2)
			h.SetTerminateExitCode(77)
			c := create(t, h, "c1", false)
			assert.NilError(t, c.Start(context.Background()))
			p, _, out, _ := run(t, c, "ping -t localhost")
			assert.Check(t, errors.Is(p.WaitTimeout(context.Background(), time.Millisecond), hcs.ErrTimeout))
			_, err := p.ExitCode(context.Background())
			assert.Check(t, errors.Is(err, hcs.ErrInvalidState), "still running")
			stats, err := c.Statistics(context.Background())
			assert.NilError(t, err)
			assert.Equal(t, stats.Memory.UsageCommitBytes, uint64(processCommitBytes))
			list, err := c.ProcessList(context.Background())
			assert.NilError(t, err)
			assert.DeepEqual(t, []any{list[0].ImageName, int(list[0].ProcessId)}, []any{"ping", p.Pid()})

			assert.Check(t, errors.Is(tc.stop(c, context.Background()), hcs.ErrPending))
			assert.NilError(t, c.WaitTimeout(context.Background(), time.Hour))
			assert.NilError(t, p.WaitTimeout(context.Background(), time.Hour))
			code, err := p.ExitCode(context.Background())
			assert.NilError(t, err)
			assert.Equal(t, code, tc.code)
			_, err = io.ReadAll(out)
			assert.NilError(t, err, "stdout ended")
			assert.Check(t, errors.Is(p.Kill(context.Background()), hcs.ErrAlreadyStopped))
			assert.Check(t, errors.Is(p.ResizeConsole(context.Background(), 1, 1), hcs.ErrAlreadyStopped))
			assert.Check(t, errors.Is(p.CloseStdin(context.Background()), hcs.ErrInvalidState))
			assert.NilError(t, p.Close(context.Background()))
			assert.NilError(t, p.Wait(context.Background()), "the exit was seen before the Close, as in hcsshim")
			assert.NilError(t, c.Close(context.Background()))
			assert.Equal(t, h.OpenHandles(), 0)
		})
	}
}

func TestKillAndConsole(t *testing.T) {
	h := New(2)
	c := create(t, h, "c1", false)
	assert.NilError(t, c.Start(context.Background()))
	p, err := c.CreateProcess(context.Background(), &hcs.ProcessConfig{CommandLine: "cmd", EmulateConsole: true, CreateStdOutPipe: true})
	assert.NilError(t, err)
	in, _, errOut, err := p.Stdio()
	assert.NilError(t, err)
	assert.Check(t, in == nil && errOut == nil, "pipes not asked for")
	assert.NilError(t, p.ResizeConsole(context.Background(), 100, 30))
	w, hgt, ok := h.ConsoleSize("c1", p.Pid())
	assert.Check(t, ok && w == 100 && hgt == 30)
	assert.NilError(t, p.Kill(context.Background()))
	assert.NilError(t, p.Wait(context.Background()))
	code, _ := p.ExitCode(context.Background())
	assert.Equal(t, code, ExitCodeKilled)
	assert.NilError(t, p.Close(context.Background()))
	stop(t, c)
}

func TestRestoreFromAnotherClient(t *testing.T) {
	h := New(2)
	c := create(t, h, "c1", false)
	assert.NilError(t, c.Start(context.Background()))
	reopened, err := h.OpenSystem(context.Background(), "c1")
	assert.NilError(t, err)
	assert.Equal(t, h.OpenHandles(), 2)
	assert.Check(t, is.DeepEqual(h.Systems(), []string{"c1"}))
	stop(t, reopened)
	assert.NilError(t, c.Close(context.Background()))
	assert.Check(t, is.Len(h.Systems(), 0))
}

func TestHostFacts(t *testing.T) {
	h := New(3, `C:\Layers\Base\UtilityVM`)
	assert.Equal(t, h.NumCPU(), 3)
	found, err := h.PathExists(context.Background(), `c:\layers\base\utilityvm`)
	assert.NilError(t, err)
	assert.Check(t, found, "Windows paths ignore case")
	found, _ = h.PathExists(context.Background(), `C:\elsewhere`)
	assert.Check(t, !found)

	a, err := h.NameToGuid(context.Background(), "4")
	assert.NilError(t, err)
	b, _ := New(1).NameToGuid(context.Background(), "4")
	assert.Equal(t, a, b, "deterministic")
	assert.Check(t, is.Regexp(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a))
	c, _ := h.NameToGuid(context.Background(), "5")
	assert.Check(t, a != c)
}

func TestFaults(t *testing.T) {
	h := New(2)
	boom := errors.New("boom")
	h.Inject(Fault{Op: OpStart, ID: "other", Err: boom})
	h.Inject(Fault{Op: OpStart, Err: boom, Times: 1})
	c := create(t, h, "c1", false)
	assert.Check(t, errors.Is(c.Start(context.Background()), boom), "once")
	assert.NilError(t, c.Start(context.Background()), "then no more")
	assert.Equal(t, h.Calls(OpStart), 2)

	// Pending: the work is done and the answer is pending.
	h.Inject(Fault{Op: OpPause, Pending: true})
	assert.Check(t, errors.Is(c.Pause(context.Background()), hcs.ErrInvalidState), "faults do not change failures")

	// A hang lasts until released; a late error comes after the work.
	release := make(chan struct{})
	h.Inject(Fault{Op: OpStatistics, Hang: release, Err: boom, Late: true, Times: 1})
	done := make(chan error)
	go func() {
		_, err := c.Statistics(context.Background())
		done <- err
	}()
	close(release)
	assert.Check(t, errors.Is(<-done, boom))

	h.Inject(Fault{Op: OpProcessList, Delay: time.Millisecond, Pending: true, Times: 1})
	_, err := c.ProcessList(context.Background())
	assert.Check(t, errors.Is(err, hcs.ErrPending))

	h.Inject(Fault{Op: OpCreateProcess, Pid: 4, Err: boom}) // no such pid: never matches
	p, _, _, _ := run(t, c, "cmd /c exit 0")
	h.Inject(Fault{Op: OpProcessExitCode, Pid: p.Pid(), Err: boom})
	assert.NilError(t, p.Wait(context.Background()))
	_, err = p.ExitCode(context.Background())
	assert.Check(t, errors.Is(err, boom))
	assert.NilError(t, p.Close(context.Background()))

	h.ClearFaults()
	_, err = c.ProcessList(context.Background())
	assert.NilError(t, err)
	stop(t, c)
}

func TestDocumentsAreRecorded(t *testing.T) {
	h := New(2)
	c := create(t, h, "c1", false)
	assert.NilError(t, c.Start(context.Background()))
	p, _, _, _ := run(t, c, "cmd /c exit 0")
	assert.NilError(t, p.Wait(context.Background()))
	assert.NilError(t, p.Close(context.Background()))
	assert.DeepEqual(t, h.ContainerConfigs(), []hcs.ContainerConfig{*document("c1", false)})
	assert.DeepEqual(t, h.ProcessConfigs("c1"), []hcs.ProcessConfig{{CommandLine: "cmd /c exit 0", CreateStdInPipe: true, CreateStdOutPipe: true, CreateStdErrPipe: true}})
	stop(t, c)
}

// A command line longer than CreateProcess takes is refused, as in HCS;
// the longest it takes runs.
func TestCommandLineLimit(t *testing.T) {
	h := New(2)
	c := create(t, h, "c1", false)
	assert.NilError(t, c.Start(context.Background()))
	longest := "cmd /c exit 0 & rem " + strings.Repeat("x", MaxCommandLine-len("cmd /c exit 0 & rem "))
	p, err := c.CreateProcess(context.Background(), &hcs.ProcessConfig{CommandLine: longest})
	assert.NilError(t, err)
	assert.NilError(t, p.Wait(context.Background()))
	assert.NilError(t, p.Close(context.Background()))
	_, err = c.CreateProcess(context.Background(), &hcs.ProcessConfig{CommandLine: longest + "x"})
	assert.Check(t, errors.Is(err, ErrCommandLineTooLong))
	// Counted in UTF-16 units, as Windows does: one 𝄞 is two.
	_, err = c.CreateProcess(context.Background(), &hcs.ProcessConfig{CommandLine: longest[:len(longest)-1] + "𝄞"})
	assert.Check(t, errors.Is(err, ErrCommandLineTooLong))
	stop(t, c)
}
