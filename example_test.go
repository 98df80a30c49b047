package local_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/cio"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs/memhost"
	"github.com/libcontainerd-windows/local/types"
)

// printer is an engine's Backend: it receives every lifecycle event.
type printer struct{ exited chan struct{} }

func (p printer) ProcessEvent(id string, e types.EventType, ei types.EventInfo) error {
	fmt.Printf("%s %s pid=%d exit=%d\n", id, e, ei.Pid, ei.ExitCode)
	if e == types.EventExit {
		close(p.exited)
	}
	return nil
}

// An engine creates a client once, then runs containers through it. On
// Windows, local.NewClient(ctx, nil, stateDir, "moby", backend) drives the
// machine's HCS; here WithHost substitutes the in-memory one.
func Example() {
	ctx := context.Background()
	backend := printer{exited: make(chan struct{})}
	client, err := local.NewClient(ctx, nil, "", "moby", backend, local.WithHost(memhost.New(2)))
	if err != nil {
		panic(err)
	}

	spec := &specs.Spec{
		Process: &specs.Process{Args: []string{"cmd", "/c", "echo hello & exit 3"}, Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: []string{`C:\layers\base`, `C:\layers\sandbox`}},
	}
	ctr, err := client.NewContainer(ctx, "web", spec, "", nil)
	if err != nil {
		panic(err)
	}
	// The engine copies the process's output wherever it keeps logs.
	var logs strings.Builder
	copied := make(chan struct{})
	attach := func(dio *cio.DirectIO) (cio.IO, error) {
		go func() {
			_, _ = io.Copy(&logs, dio.Stdout)
			close(copied)
		}()
		return dio, nil
	}
	task, err := ctr.NewTask(ctx, "", false, attach)
	if err != nil {
		panic(err)
	}
	<-copied
	<-backend.exited
	status, _ := task.Delete(ctx)
	fmt.Printf("logs: %q, exit status %d\n", logs.String(), status.ExitCode())
	_ = ctr.Delete(ctx)
	// Output:
	// web create pid=0 exit=0
	// web start pid=1004 exit=0
	// web exit pid=1004 exit=3
	// logs: "hello\n", exit status 3
}

// An engine stops a container as `docker stop` does: a graceful kill, and
// SIGKILL, which terminates the compute system, after a grace period
// without an exit event.
func Example_stop() {
	stop := func(ctx context.Context, task types.Task, exited <-chan struct{}, grace time.Duration) error {
		if err := task.Kill(ctx, syscall.SIGTERM); err != nil {
			return err
		}
		select {
		case <-exited:
			return nil
		case <-time.After(grace):
			return task.Kill(ctx, syscall.SIGKILL)
		}
	}
	_ = stop
}
