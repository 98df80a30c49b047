package memhost_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/containerd/containerd/cio"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs/memhost"
	"github.com/libcontainerd-windows/local/types"
)

// An engine's own test of a Windows code path, on any OS: HCS fails the
// wait for an exec's process, and the engine's Backend still receives the
// exec's exit, with its exit code and, as from moby, no error.
func Example() {
	ctx := context.Background()
	host := memhost.New(2)
	backend := &exits{ch: make(chan types.EventInfo, 8)}
	client, err := local.NewClient(ctx, nil, "", "moby", backend, local.WithHost(host))
	if err != nil {
		panic(err)
	}

	spec := &specs.Spec{
		Process: &specs.Process{CommandLine: "ping -t localhost", Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: []string{`C:\layers\base`, `C:\layers\sandbox`}},
	}
	ctr, err := client.NewContainer(ctx, "web", spec, "", nil)
	if err != nil {
		panic(err)
	}
	task, err := ctr.NewTask(ctx, "", false, discardOutput)
	if err != nil {
		panic(err)
	}

	// The task's own wait is under way; the next wait, the exec's, fails
	// once the process exited.
	host.AwaitCalls(memhost.OpProcessWait, 1)
	host.Inject(memhost.Fault{Op: memhost.OpProcessWait, Err: errors.New("the wait failed"), Late: true, Times: 1})
	if _, err := task.Exec(ctx, "probe", &specs.Process{CommandLine: "cmd /c exit 3"}, false, discardOutput); err != nil {
		panic(err)
	}
	exit := <-backend.ch
	fmt.Println(exit.ProcessID, exit.ExitCode, exit.Error)

	if err := task.ForceDelete(ctx); err != nil {
		panic(err)
	}
	<-backend.ch // the task's exit
	if err := ctr.Delete(ctx); err != nil {
		panic(err)
	}
	fmt.Println("handles left open:", host.OpenHandles())
	// Output:
	// probe 3 <nil>
	// handles left open: 0
}

// exits is the engine's Backend: it passes on the exit events.
type exits struct{ ch chan types.EventInfo }

func (e *exits) ProcessEvent(_ string, event types.EventType, ei types.EventInfo) error {
	if event == types.EventExit {
		e.ch <- ei
	}
	return nil
}

// discardOutput is the engine's attachStdio: it reads and drops the output.
func discardOutput(dio *cio.DirectIO) (cio.IO, error) {
	for _, r := range []io.Reader{dio.Stdout, dio.Stderr} {
		if r != nil {
			go func(r io.Reader) { _, _ = io.Copy(io.Discard, r) }(r)
		}
	}
	return dio, nil
}
