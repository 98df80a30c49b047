package memhost_test

import (
	"context"
	"errors"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs/memhost"
	"github.com/libcontainerd-windows/local/types"
)

// An engine's restart of a container by its id, through the public host,
// while a stats poll of the old container is still in HCS: Delete returns,
// and the NewContainer of the same id waits for the old system's release
// and succeeds once HCS answers the poll.
func TestRestartByIDWhileAStatsPollIsInHCS(t *testing.T) {
	ctx := context.Background()
	host := memhost.New(2)
	client, err := local.NewClient(ctx, nil, "", "moby", ignore{}, local.WithHost(host))
	assert.NilError(t, err)
	spec := &specs.Spec{
		Process: &specs.Process{CommandLine: "ping -t localhost", Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: []string{`C:\layers\base`, `C:\layers\sandbox`}},
	}
	ctr, err := client.NewContainer(ctx, "web", spec, "", nil)
	assert.NilError(t, err)
	task, err := ctr.NewTask(ctx, "", false, discardOutput)
	assert.NilError(t, err)

	hang := make(chan struct{})
	host.Inject(memhost.Fault{Op: memhost.OpStatistics, ID: "web", Hang: hang, Times: 1})
	polled := make(chan error, 1)
	go func() { _, err := task.Stats(ctx); polled <- err }()
	host.AwaitCalls(memhost.OpStatistics, 1)
	assert.NilError(t, task.ForceDelete(ctx))
	assert.NilError(t, ctr.Delete(ctx))

	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err = client.NewContainer(short, "web", spec, "", nil)
	assert.Check(t, errors.Is(err, context.DeadlineExceeded), "NewContainer while the old system's release waits for the poll: %v", err)

	again := make(chan error, 1)
	go func() {
		ctr, err := client.NewContainer(ctx, "web", spec, "", nil)
		if err == nil {
			err = ctr.Delete(ctx)
		}
		again <- err
	}()
	close(hang)
	<-polled
	assert.NilError(t, <-again)
	host.AwaitOpenHandles(0)
}

// ignore is a Backend that drops every event.
type ignore struct{}

func (ignore) ProcessEvent(string, types.EventType, types.EventInfo) error { return nil }
