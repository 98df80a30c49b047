package local_test

import (
	"context"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	local "github.com/libcontainerd-windows/local"
	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/fronttest"
	"github.com/libcontainerd-windows/local/types"
)

// The adapter from the front's types (moby's libcontainerd types of the
// module's lines) to the suite's.

type eventBackend struct{ b fronttest.Backend }

func (e eventBackend) ProcessEvent(id string, event types.EventType, ei types.EventInfo) error {
	return e.b.ProcessEvent(id, string(event), fronttest.EventInfo(ei))
}

type client struct{ c types.Client }

func (c client) Version(ctx context.Context) error {
	_, err := c.c.Version(ctx)
	return err
}

func (c client) NewContainer(ctx context.Context, id string, spec *specs.Spec) (fronttest.Container, error) {
	ctr, err := c.c.NewContainer(ctx, id, spec, "io.containerd.runhcs.v1", nil)
	if err != nil {
		return nil, err
	}
	return container{ctr}, nil
}

func (c client) LoadContainer(ctx context.Context, id string) (fronttest.Container, error) {
	ctr, err := c.c.LoadContainer(ctx, id)
	if err != nil {
		return nil, err
	}
	return container{ctr}, nil
}

type container struct{ c types.Container }

func (c container) NewTask(ctx context.Context, withStdin bool, a fronttest.Attach) (fronttest.Task, error) {
	t, err := c.c.NewTask(ctx, "", withStdin, attach(a))
	if err != nil {
		return nil, err
	}
	return task{process{t}, t}, nil
}

func (c container) Task(ctx context.Context) (fronttest.Task, error) {
	t, err := c.c.Task(ctx)
	if err != nil {
		return nil, err
	}
	return task{process{t}, t}, nil
}

func (c container) AttachTask(ctx context.Context) error {
	_, err := c.c.AttachTask(ctx, attach(func(fronttest.Stdio) error { return nil }))
	return err
}

func (c container) Delete(ctx context.Context) error { return c.c.Delete(ctx) }

func attach(a fronttest.Attach) types.StdioCallback {
	if a == nil {
		return nil
	}
	return func(dio *cio.DirectIO) (cio.IO, error) {
		return dio, a(fronttest.Stdio{Stdin: dio.Stdin, Stdout: dio.Stdout, Stderr: dio.Stderr, Terminal: dio.Config().Terminal})
	}
}

type process struct{ p types.Process }

func (p process) Pid() uint32 { return p.p.Pid() }
func (p process) Kill(ctx context.Context, s syscall.Signal) error {
	return p.p.Kill(ctx, s)
}
func (p process) Resize(ctx context.Context, w, h uint32) error { return p.p.Resize(ctx, w, h) }
func (p process) CloseStdin(ctx context.Context) error {
	return p.p.(interface{ CloseStdin(context.Context) error }).CloseStdin(ctx)
}
func (p process) Delete(ctx context.Context) (fronttest.Exit, error) {
	return exit(p.p.Delete(ctx))
}

func exit(s *containerd.ExitStatus, err error) (fronttest.Exit, error) {
	if err != nil {
		return fronttest.Exit{}, err
	}
	return fronttest.Exit{Code: s.ExitCode(), Time: s.ExitTime(), Err: s.Error()}, nil
}

type task struct {
	process
	t types.Task
}

func (t task) Start(ctx context.Context) error       { return t.t.Start(ctx) }
func (t task) Pause(ctx context.Context) error       { return t.t.Pause(ctx) }
func (t task) Resume(ctx context.Context) error      { return t.t.Resume(ctx) }
func (t task) ForceDelete(ctx context.Context) error { return t.t.ForceDelete(ctx) }
func (t task) UpdateResources(ctx context.Context) error {
	return t.t.UpdateResources(ctx, &types.Resources{})
}
func (t task) CreateCheckpoint(ctx context.Context, dir string, exit bool) error {
	return t.t.CreateCheckpoint(ctx, dir, exit)
}

func (t task) Stats(ctx context.Context) (*hcs.Statistics, time.Time, error) {
	s, err := t.t.Stats(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	return local.HCSStatistics(s), s.Read, nil
}

func (t task) Summary(ctx context.Context) ([]fronttest.Summary, error) {
	list, err := t.t.Summary(ctx)
	if err != nil {
		return nil, err
	}
	var summary []fronttest.Summary
	for i := range list {
		s := &list[i]
		summary = append(summary, fronttest.Summary{ImageName: s.ImageName, ProcessID: s.ProcessID, CreatedAt: fronttest.CreatedAt(s.CreatedAt)})
	}
	return summary, nil
}

func (t task) Pids(ctx context.Context) error {
	_, err := t.t.Pids(ctx)
	return err
}

func (t task) Status(ctx context.Context) (fronttest.Status, error) {
	s, err := t.t.Status(ctx)
	if err != nil {
		return fronttest.Status{}, err
	}
	return fronttest.Status{Status: string(s.Status), Exit: fronttest.Exit{Code: s.ExitStatus, Time: s.ExitTime}}, nil
}

func (t task) Exec(ctx context.Context, id string, spec *specs.Process, withStdin bool, a fronttest.Attach) (fronttest.Process, error) {
	p, err := t.t.Exec(ctx, id, spec, withStdin, attach(a))
	if err != nil {
		return nil, err
	}
	return process{p}, nil
}
