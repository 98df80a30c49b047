//go:build integration

package core

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/Microsoft/hcsshim"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/windows"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/hcstest"
)

// The integration tests drive the machine's real HCS. They need a Windows
// Server host with the Containers feature and an image's layers, which
// LCW_TEST_LAYER names: the windowsfilter folder of the image's top layer,
// as `docker inspect -f '{{.GraphDriver.Data.dir}}' IMAGE` prints it for a
// nanoserver image. LCW_TEST_HYPERV=1 adds the Hyper-V tests. See README.md.
//
//	go test -tags integration -run Integration -v .

// integrationLayers returns the image's layer folders, top first, or skips.
func integrationLayers(t *testing.T) []string {
	top := os.Getenv("LCW_TEST_LAYER")
	if top == "" {
		t.Skip("LCW_TEST_LAYER is not set: no image layers for the real HCS (see README.md)")
	}
	if err := windows.NewLazySystemDLL("vmcompute.dll").Load(); err != nil {
		t.Skipf("HCS is not available here: %v", err)
	}
	layers := []string{top}
	chain, err := os.ReadFile(filepath.Join(top, "layerchain.json"))
	if err == nil {
		var parents []string
		assert.NilError(t, json.Unmarshal(chain, &parents))
		layers = append(layers, parents...)
	}
	return layers
}

// scratch creates the container's writable layer next to the image's and
// returns its folder and, mounted, its volume path; cleanup undoes it.
func scratch(t *testing.T, layers []string, mount bool) (folder, volume string) {
	info := hcsshim.DriverInfo{HomeDir: filepath.Dir(layers[0])}
	id := fmt.Sprintf("lcw-test-%d", time.Now().UnixNano())
	assert.NilError(t, hcsshim.CreateScratchLayer(info, id, "", layers))
	t.Cleanup(func() { _ = hcsshim.DestroyLayer(info, id) })
	if mount {
		assert.NilError(t, hcsshim.ActivateLayer(info, id))
		t.Cleanup(func() { _ = hcsshim.DeactivateLayer(info, id) })
		assert.NilError(t, hcsshim.PrepareLayer(info, id, layers))
		t.Cleanup(func() { _ = hcsshim.UnprepareLayer(info, id) })
		var err error
		volume, err = hcsshim.GetLayerMountPath(info, id)
		assert.NilError(t, err)
		if volume[len(volume)-1] != '\\' {
			volume += `\`
		}
	}
	return filepath.Join(info.HomeDir, id), volume
}

func integrationSpec(t *testing.T, hyperV bool, commandLine string) *specs.Spec {
	layers := integrationLayers(t)
	folder, volume := scratch(t, layers, !hyperV)
	s := &specs.Spec{
		Process: &specs.Process{CommandLine: commandLine, Cwd: `C:\`, User: specs.User{Username: "ContainerUser"}},
		Root:    &specs.Root{Path: volume},
		Windows: &specs.Windows{LayerFolders: append(append([]string(nil), layers...), folder)},
	}
	if hyperV {
		s.Windows.HyperV = &specs.WindowsHyperV{}
	}
	return s
}

func newIntegrationClient(t *testing.T) (*Client, *recorder) {
	rec := newRecorder()
	c, err := NewClient(Logger(context.Background()), Moby26, rec)
	assert.NilError(t, err)
	t.Cleanup(c.eventQ.Wait)
	return c, rec
}

func TestIntegrationLifecycle(t *testing.T) {
	ctx := context.Background()
	s := integrationSpec(t, false, `cmd /c ping -n 30 127.0.0.1 >NUL`)
	c, rec := newIntegrationClient(t)
	id := fmt.Sprintf("lcw-it-%d", time.Now().UnixNano())
	ctr, err := c.NewContainer(ctx, id, s)
	assert.NilError(t, err)
	out := &output{}
	tsk, err := ctr.NewTask(ctx, out.attach)
	assert.NilError(t, err)

	execOut := &output{}
	_, err = tsk.Exec(ctx, "e1", &specs.Process{CommandLine: `cmd /c echo hello from %COMPUTERNAME%`}, execOut.attach)
	assert.NilError(t, err)
	stdout, _ := execOut.wait()
	assert.Check(t, len(stdout) > len("hello from "), stdout)

	checkReports(t, tsk)

	assert.NilError(t, tsk.Kill(ctx, syscall.SIGTERM))
	events := rec.await(id, 6)
	// The exec's exit and the task's come in the order the processes ended.
	assert.DeepEqual(t, eventTypes(events), []EventType{
		EventCreate, EventStart, EventExecAdded, EventExecStarted, EventExit, EventExit,
	})
	assert.Check(t, events[4].Info.ProcessID != events[5].Info.ProcessID)
	_, err = tsk.Delete(ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(ctx))
}

// After a client restart, the container is loaded, terminated and deleted.
func TestIntegrationRestore(t *testing.T) {
	ctx := context.Background()
	s := integrationSpec(t, false, `cmd /c ping -n 300 127.0.0.1 >NUL`)
	c, _ := newIntegrationClient(t)
	id := fmt.Sprintf("lcw-it-%d", time.Now().UnixNano())
	ctr, err := c.NewContainer(ctx, id, s)
	assert.NilError(t, err)
	_, err = ctr.NewTask(ctx, (&output{}).attach)
	assert.NilError(t, err)

	restarted, _ := newIntegrationClient(t)
	loaded, err := restarted.LoadContainer(ctx, id)
	assert.NilError(t, err)
	assert.NilError(t, loaded.Delete(ctx))
	_, err = restarted.LoadContainer(ctx, "lcw-it-does-not-exist")
	assert.ErrorContains(t, err, "not found")
}

func TestIntegrationHyperVPauseResume(t *testing.T) {
	if os.Getenv("LCW_TEST_HYPERV") != "1" {
		t.Skip("LCW_TEST_HYPERV is not 1: Hyper-V isolation is not available on this host")
	}
	ctx := context.Background()
	s := integrationSpec(t, true, `cmd /c ping -n 60 127.0.0.1 >NUL`)
	c, rec := newIntegrationClient(t)
	id := fmt.Sprintf("lcw-it-%d", time.Now().UnixNano())
	ctr, err := c.NewContainer(ctx, id, s)
	assert.NilError(t, err)
	tsk, err := ctr.NewTask(ctx, (&output{}).attach)
	assert.NilError(t, err)
	assert.NilError(t, tsk.Pause(ctx))
	assert.NilError(t, tsk.Resume(ctx))
	assert.NilError(t, tsk.ForceDelete(ctx))
	assert.DeepEqual(t, eventTypes(rec.await(id, 5)), []EventType{
		EventCreate, EventStart, EventPaused, EventResumed, EventExit,
	})
	assert.NilError(t, ctr.Delete(ctx))
}

// The real binding keeps the contract of the seam, as the in-memory host
// does: the same conformance suite.
func TestIntegrationConformance(t *testing.T) {
	integrationLayers(t) // skips without image layers or HCS
	host, err := MachineHost()
	assert.NilError(t, err)
	document := func(hyperV bool) func(t *testing.T, id string) *hcs.ContainerConfig {
		return func(t *testing.T, id string) *hcs.ContainerConfig {
			config, _, err := Documents(context.Background(), id, integrationSpec(t, hyperV, "cmd"), host)
			assert.NilError(t, err)
			return config
		}
	}
	cfg := hcstest.Config{
		Name:         "the machine's HCS",
		NewHost:      func(*testing.T) hcs.Host { return host },
		System:       document(false),
		ExistingPath: os.Getenv("LCW_TEST_LAYER"),
		Commands: hcstest.Commands{
			Long: `cmd /c ping -n 600 127.0.0.1 >NUL`,
			Cat:  `findstr "^"`,
		},
	}
	if os.Getenv("LCW_TEST_HYPERV") == "1" {
		cfg.HyperVSystem = document(true)
	}
	hcstest.Run(t, cfg)
}
