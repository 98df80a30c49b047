package local

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/containerd/containerd/cio"
	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/hcs/memhost"
	"github.com/libcontainerd-windows/local/types"
)

// exitSignal tells of the first exit event.
type exitSignal chan struct{}

func (e exitSignal) ProcessEvent(_ string, event types.EventType, _ types.EventInfo) error {
	if event == types.EventExit {
		close(e)
	}
	return nil
}

func discardStdio(dio *cio.DirectIO) (cio.IO, error) {
	go func() { _, _ = io.Copy(io.Discard, dio.Stdout) }()
	return dio, dio.Stdin.Close()
}

// lifecycleLogged runs a container's whole life with a client whose context
// carries a logger at level, and returns what it logged.
func lifecycleLogged(t *testing.T, level logrus.Level) string {
	var out bytes.Buffer
	logger := logrus.New()
	logger.SetOutput(&out)
	logger.SetLevel(level)
	ctx := log.WithLogger(context.Background(), logrus.NewEntry(logger))
	host := memhost.New(2)
	exited := make(exitSignal)
	c, err := NewClient(ctx, nil, "", "moby", exited, WithHost(host))
	assert.NilError(t, err)
	spec := &specs.Spec{
		Process: &specs.Process{CommandLine: "cmd /c exit 0", Cwd: `C:\`},
		Root:    &specs.Root{Path: `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\`},
		Windows: &specs.Windows{LayerFolders: []string{`C:\layers\base`, `C:\layers\sandbox`}},
	}
	ctr, err := c.NewContainer(ctx, "web", spec, "", nil)
	assert.NilError(t, err)
	tsk, err := ctr.NewTask(ctx, "", false, discardStdio)
	assert.NilError(t, err)
	<-exited
	_, err = tsk.Delete(ctx)
	assert.NilError(t, err)
	assert.NilError(t, ctr.Delete(ctx))
	return out.String()
}

// The library logs through the logger of NewClient's context: every event
// at info, with moby's fields; a logger at warning hears nothing of a
// life that went well.
func TestLoggingGoesThroughTheContextsLogger(t *testing.T) {
	info := lifecycleLogged(t, logrus.InfoLevel)
	assert.Check(t, is.Contains(info, `msg="sending event"`))
	assert.Check(t, is.Contains(info, `event=create`))
	assert.Check(t, is.Contains(info, `module=libcontainerd namespace=moby`))
	assert.Check(t, !strings.Contains(info, "level=debug"))
	assert.Equal(t, lifecycleLogged(t, logrus.WarnLevel), "")
}
