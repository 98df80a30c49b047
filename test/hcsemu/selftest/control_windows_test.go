package selftest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/Microsoft/hcsshim"
	"golang.org/x/sys/windows"
	"gotest.tools/v3/assert"
)

// controlPipe is the emulator's control pipe in this process (TestMain
// names it before the emulator loads).
var controlPipe = fmt.Sprintf(`\\.\pipe\hcsemu-selftest-%d`, os.Getpid())

func TestMain(m *testing.M) {
	// The emulator reads HCSEMU_CONTROL as it loads, at hcsshim's first
	// call.
	os.Setenv("HCSEMU_CONTROL", controlPipe)
	os.Exit(m.Run())
}

// WaitNamedPipeW, which golang.org/x/sys/windows lacks at moby's floor.
var waitNamedPipe = kernel32.NewProc("WaitNamedPipeW")

const nmpwaitWaitForever = 0xffffffff

// command sends one line to the emulator's control pipe, as another
// process does, and returns the answer line. The pipe has one instance:
// while it answers another client, the client waits for it.
func command(t *testing.T, line string) string {
	t.Helper()
	name, err := windows.UTF16PtrFromString(controlPipe)
	assert.NilError(t, err)
	pipe, err := os.OpenFile(controlPipe, os.O_RDWR, 0)
	for errors.Is(err, windows.ERROR_PIPE_BUSY) {
		_, _, _ = waitNamedPipe.Call(uintptr(unsafe.Pointer(name)), nmpwaitWaitForever)
		pipe, err = os.OpenFile(controlPipe, os.O_RDWR, 0)
	}
	assert.NilError(t, err)
	defer pipe.Close()
	_, err = io.WriteString(pipe, line+"\n")
	assert.NilError(t, err)
	answer, err := bufio.NewReader(pipe).ReadString('\n')
	assert.NilError(t, err)
	return strings.TrimSuffix(answer, "\n")
}

// The control pipe makes an export fail with an HRESULT, hang until
// released, clears faults, and reports held calls and call counts.
func TestControlPipe(t *testing.T) {
	home := emulated(t)
	t.Cleanup(func() {
		command(t, "clear")
		command(t, "release")
	})
	info := hcsshim.DriverInfo{HomeDir: home, Flavour: 1}
	exists := func() error { _, err := hcsshim.LayerExists(info, home); return err }
	assert.NilError(t, exists(), "the emulator loads, and serves its pipe")

	assert.Equal(t, command(t, "fail LayerExists 0x80070005 0 1"), "ok")
	err := exists()
	assert.ErrorContains(t, err, "Access denied", "the HRESULT injected")
	assert.NilError(t, exists(), "one call only")

	calls := command(t, "calls LayerExists")
	assert.Equal(t, command(t, "held"), "0")
	assert.Equal(t, command(t, "hang LayerExists 1"), "ok")
	answered := make(chan error, 1)
	go func() { answered <- exists() }()
	for command(t, "held") != "1" {
		time.Sleep(time.Millisecond)
	}
	var before, after int
	_, _ = fmt.Sscan(calls, &before)
	_, _ = fmt.Sscan(command(t, "calls LayerExists"), &after)
	assert.Equal(t, after, before+1, "the held call is counted")
	assert.Equal(t, command(t, "release"), "ok")
	assert.NilError(t, <-answered, "a released call does its work")
	assert.Equal(t, command(t, "held"), "0")

	assert.Equal(t, command(t, "fail LayerExists 80004005 0 0"), "ok")
	assert.Assert(t, exists() != nil)
	assert.Assert(t, exists() != nil, "every call, for 0 times")
	assert.Equal(t, command(t, "clear"), "ok")
	assert.NilError(t, exists())

	assert.Equal(t, command(t, "bogus"), "error: not a command: bogus")
	assert.Equal(t, command(t, "hang LayerExists"), "error: not a command: hang LayerExists")
}
