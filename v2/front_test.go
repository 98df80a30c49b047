package local_test

import (
	"context"
	"io"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/containerd/log"
	"go.uber.org/goleak"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/fronttest"
	local "github.com/libcontainerd-windows/local/v2"
	"github.com/libcontainerd-windows/local/v2/types"
)

func TestMain(m *testing.M) {
	log.L.Logger.SetOutput(io.Discard) // the backend logs every event
	goleak.VerifyTestMain(m)
}

// The behaviour suite every front passes, through moby v28's types.
func TestFront(t *testing.T) {
	fronttest.Run(t, fronttest.Front{
		NewClient: func(ctx context.Context, host hcs.Host, b fronttest.Backend) (fronttest.Client, error) {
			var backend types.Backend
			if b != nil {
				backend = eventBackend{b}
			}
			c, err := local.NewClient(ctx, backend, local.WithHost(host))
			if err != nil {
				return nil, err
			}
			return client{c}, nil
		},
		PauseUnsupported: "not implemented for containers using process isolation",
		Errdefs: []fronttest.Errdefs{{
			Name:               "github.com/containerd/errdefs",
			IsInvalidArgument:  cerrdefs.IsInvalidArgument,
			IsNotFound:         cerrdefs.IsNotFound,
			IsConflict:         cerrdefs.IsConflict,
			IsNotModified:      cerrdefs.IsNotModified,
			IsNotImplemented:   cerrdefs.IsNotImplemented,
			IsAlreadyExists:    cerrdefs.IsAlreadyExists,
			IsCanceled:         cerrdefs.IsCanceled,
			IsDeadlineExceeded: cerrdefs.IsDeadlineExceeded,
		}},
	})
}
