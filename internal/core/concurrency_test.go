package core

import (
	"fmt"
	"sync"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
)

// 200 containers at once, each through create, task, exec, exit and
// delete; every container's event stream is checked whole.
func TestManyContainersConcurrently(t *testing.T) {
	const n = 200
	e := newEnv(t)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		id, code := fmt.Sprintf("c%03d", i), i%7
		s := spec(t, fmt.Sprintf("cmd /c more & exit %d", code))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runOne(e, id, code, s); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}()
	}
	wg.Wait()
	e.client.eventQ.Wait()

	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%03d", i)
		events := e.rec.stream(id)
		assert.Check(t, len(events) == 6, "%s: %v", id, eventTypes(events))
		if len(events) != 6 {
			continue
		}
		assert.Check(t, eventTypesEqual(events, EventCreate, EventStart, EventExecAdded, EventExecStarted, EventExit, EventExit), "%s: %v", id, eventTypes(events))
		taskPid, execPid := events[1].Info.Pid, events[2].Info.Pid
		// The exec's exit comes before the task's: the task exits only once
		// the exec's output was read.
		assert.Check(t, events[4].Info.ProcessID == "exec" && events[4].Info.Pid == execPid && events[4].Info.ExitCode == 0, "%s: %+v", id, events[4].Info)
		assert.Check(t, events[5].Info.ProcessID == id && events[5].Info.Pid == taskPid && events[5].Info.ExitCode == uint32(i%7), "%s: %+v", id, events[5].Info)
		for _, ev := range events {
			assert.Check(t, ev.Info.ContainerID == id)
		}
	}
	assert.Equal(t, e.host.OpenHandles(), 0)
	assert.Equal(t, len(e.host.Systems()), 0)
}

func eventTypesEqual(events []event, want ...EventType) bool {
	got := eventTypes(events)
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// runOne takes one container through its life; the task reads stdin until
// the test closes it, so the exec surely runs while the task does.
func runOne(e *env, id string, code int, s *specs.Spec) error {
	ctr, err := e.client.NewContainer(e.ctx, id, s)
	if err != nil {
		return err
	}
	taskOut := &output{}
	tsk, err := ctr.NewTask(e.ctx, taskOut.attach)
	if err != nil {
		return err
	}
	execOut := &output{}
	p, err := tsk.Exec(e.ctx, "exec", &specs.Process{CommandLine: "cmd /c echo " + id}, execOut.attach)
	if err != nil {
		return err
	}
	if stdout, _ := execOut.wait(); stdout != id+"\n" {
		return fmt.Errorf("exec printed %q", stdout)
	}
	e.rec.await(id, 5) // the exec's exit
	if _, err := p.Delete(e.ctx); err != nil {
		return err
	}
	if err := taskOut.stdin.Close(); err != nil {
		return err
	}
	taskOut.wait()
	e.rec.await(id, 6)
	status, err := tsk.Delete(e.ctx)
	if err != nil {
		return err
	}
	if status.Code != uint32(code) {
		return fmt.Errorf("exit code %d", status.Code)
	}
	return ctr.Delete(e.ctx)
}

// exec-added comes right before its exec-started, as moby sends both from
// one queued function, however many Execs of the container run at once.
func TestConcurrentExecsKeepTheirEventsAdjacent(t *testing.T) {
	const goroutines, execs = 16, 40
	e := newEnv(t)
	ctr, tsk, _ := e.start("c1", spec(t, "ping -t localhost"))
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < execs; i++ {
				id := fmt.Sprintf("e%d-%d", g, i)
				if _, err := tsk.Exec(e.ctx, id, &specs.Process{CommandLine: "cmd /c exit 0"}, (&output{}).attach); err != nil {
					t.Errorf("%s: %v", id, err)
				}
			}
		}(g)
	}
	wg.Wait()
	// Each exec's three events, after the create and the start.
	events := e.rec.await("c1", 2+3*goroutines*execs)
	for i, ev := range events {
		if ev.Type == EventExecAdded {
			assert.Assert(t, i+1 < len(events))
			next := events[i+1]
			assert.Check(t, next.Type == EventExecStarted && next.Info.ProcessID == ev.Info.ProcessID,
				"exec-added %s is followed by %s %s", ev.Info.ProcessID, next.Type, next.Info.ProcessID)
		}
	}
	cleanUp(t, e, ctr, tsk)
}
