package core

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// An engine re-creates a container under its id after Delete (restart
// policies, docker restart). A call on the old container still in HCS puts
// off the release of its system, which holds the id until then: the new
// NewContainer waits for that release, bounded by its own context, and
// then succeeds, as in moby, where hcsshim's Close waits for the call
// instead (and so Delete does).
func TestNewContainerAfterDeleteWaitsForTheOldSystemsRelease(t *testing.T) {
	cases := []struct {
		name string
		op   hcsfake.Op
		// inFlight starts the call that HCS holds, on c1 whose task runs
		// until its stdin closes, and returns what waits for the call.
		inFlight func(t *testing.T, e *env, tsk *Task) (wait func())
	}{
		{"a stats poll", hcsfake.OpStatistics, func(t *testing.T, e *env, tsk *Task) func() {
			done := make(chan error, 1)
			go func() { _, _, err := tsk.Stats(e.ctx); done <- err }()
			return func() { <-done }
		}},
		{"a SIGTERM's shutdown when the task exits by itself", hcsfake.OpShutdown, func(t *testing.T, e *env, tsk *Task) func() {
			done := make(chan error, 1)
			go func() { done <- tsk.Kill(e.ctx, syscall.SIGTERM) }()
			return func() { assert.NilError(t, <-done) }
		}},
		{"a racing SIGKILL", hcsfake.OpTerminate, func(t *testing.T, e *env, tsk *Task) func() {
			done := make(chan error, 1)
			go func() { done <- tsk.Kill(e.ctx, syscall.SIGKILL) }()
			return func() { assert.NilError(t, <-done) }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctr, tsk, out := e.start("c1", spec(t, "more"))
			hang := make(chan struct{})
			e.host.Inject(hcsfake.Fault{Op: tc.op, ID: "c1", Hang: hang, Times: 1})
			released := false
			defer func() {
				if !released {
					close(hang)
				}
			}()
			wait := tc.inFlight(t, e, tsk)
			e.host.AwaitCalls(tc.op, 1)

			assert.NilError(t, out.stdin.Close())
			<-tsk.waitCh
			_, err := tsk.Delete(e.ctx)
			assert.NilError(t, err)
			assert.NilError(t, ctr.Delete(e.ctx))

			// HCS holds the call until the test releases it, so the
			// context ends while NewContainer waits, however fast the
			// machine.
			ctx, cancel := context.WithTimeout(e.ctx, 10*time.Millisecond)
			defer cancel()
			_, err = e.client.NewContainer(ctx, "c1", spec(t, "cmd /c exit 3"))
			assert.Assert(t, errors.Is(err, context.DeadlineExceeded), "NewContainer while the old system's release is put off: %v", err)
			_, classed := err.(interface{ DeadlineExceeded() })
			assert.Assert(t, classed, "%v is not classed for moby's errdefs", err)

			created := make(chan error, 1)
			go func() {
				ctr, err := e.client.NewContainer(e.ctx, "c1", spec(t, "cmd /c exit 3"))
				if err == nil {
					var tsk *Task
					if tsk, err = ctr.NewTask(e.ctx, (&output{}).attach); err == nil {
						<-tsk.waitCh
						err = errors.Join(tsk.ForceDelete(e.ctx), ctr.Delete(e.ctx))
					}
				}
				created <- err
			}()
			close(hang)
			released = true
			wait()
			assert.NilError(t, <-created, "the container's second life")
			e.host.AwaitOpenHandles(0)
		})
	}
}
