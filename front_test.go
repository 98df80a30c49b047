package local_test

import (
	"context"
	"io"
	"testing"

	ctrderrdefs "github.com/containerd/containerd/errdefs"
	"github.com/containerd/log"
	"go.uber.org/goleak"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/fronttest"
	"github.com/libcontainerd-windows/local/types"
)

func TestMain(m *testing.M) {
	log.L.Logger.SetOutput(io.Discard) // the backend logs every event
	goleak.VerifyTestMain(m)
}

// The behaviour suite every front passes, through moby v26's types.
func TestFront(t *testing.T) {
	fronttest.Run(t, fronttest.Front{
		NewClient: func(ctx context.Context, host hcs.Host, b fronttest.Backend) (fronttest.Client, error) {
			var backend types.Backend
			if b != nil {
				backend = eventBackend{b}
			}
			c, err := local.NewClient(ctx, nil, "", "moby", backend, local.WithHost(host))
			if err != nil {
				return nil, err
			}
			return client{c}, nil
		},
		PauseUnsupported: "not implemented",
		Errdefs: []fronttest.Errdefs{{
			Name:               "github.com/containerd/containerd/errdefs",
			IsInvalidArgument:  ctrderrdefs.IsInvalidArgument,
			IsNotFound:         ctrderrdefs.IsNotFound,
			IsNotImplemented:   ctrderrdefs.IsNotImplemented,
			IsAlreadyExists:    ctrderrdefs.IsAlreadyExists,
			IsCanceled:         ctrderrdefs.IsCanceled,
			IsDeadlineExceeded: ctrderrdefs.IsDeadlineExceeded,
		}},
	})
}
