package core

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/containerd/log"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
)

// docs/benchmarks.md has the figures and the commands that produced them.

func BenchmarkTranslate(b *testing.B) {
	for _, tc := range []struct {
		name string
		spec *specs.Spec
	}{
		{"typical", readSpec(b, specsDir+"/process-full.json")},
		{"large", largeSpec(b)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			host := goldenHost()
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, _, err := Documents(ctx, "c1", tc.spec, host); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// largeSpec is a spec at the size a busy engine produces: 40 layers, 100
// mounts, 200 environment variables, 50 arguments, 4 devices.
func largeSpec(b *testing.B) *specs.Spec {
	s := readSpec(b, specsDir+"/process-full.json")
	s.Windows.LayerFolders = nil
	for i := 0; i < 40; i++ {
		s.Windows.LayerFolders = append(s.Windows.LayerFolders, fmt.Sprintf(`C:\ProgramData\docker\windowsfilter\%064d`, i))
	}
	s.Mounts = nil
	for i := 0; i < 100; i++ {
		m := specs.Mount{Source: fmt.Sprintf(`C:\volumes\v%d`, i), Destination: fmt.Sprintf(`C:\data\%d`, i)}
		if i%3 == 0 {
			m.Options = []string{"ro"}
		}
		if i%10 == 0 {
			m.Destination = fmt.Sprintf(`\\.\pipe\p%d`, i)
		}
		s.Mounts = append(s.Mounts, m)
	}
	s.Process.Env = nil
	for i := 0; i < 200; i++ {
		s.Process.Env = append(s.Process.Env, fmt.Sprintf("VARIABLE_%d=value %d with spaces", i, i))
	}
	s.Process.Args = nil
	for i := 0; i < 50; i++ {
		s.Process.Args = append(s.Process.Args, fmt.Sprintf(`arg "%d" with\ spaces\\`, i))
	}
	s.Windows.Devices = append(s.Windows.Devices, s.Windows.Devices...)
	return s
}

// exitWaiter is a Backend that tells when a container's task exited.
type exitWaiter struct {
	mu    sync.Mutex
	exits map[string]chan struct{}
}

func (w *exitWaiter) expect(id string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.exits[id] = ch
	return ch
}

func (w *exitWaiter) ProcessEvent(id string, e EventType, _ EventInfo) error {
	if e != EventExit {
		return nil
	}
	w.mu.Lock()
	ch := w.exits[id]
	delete(w.exits, id)
	w.mu.Unlock()
	if ch != nil {
		close(ch)
	}
	return nil
}

func discardIO(Stdio) error { return nil }

// BenchmarkLifecycle takes one container through create, task, exit and
// delete while `live` other containers exist, over the zero-latency
// in-memory HCS. BenchmarkLifecycleHCSOnly makes the same HCS calls without
// the library; the difference is the library's own cost. With log=info the
// backend logs every event, as moby does at dockerd's default level (to
// io.Discard here, so formatting is counted and writing is not); with
// log=warn it logs nothing.
func BenchmarkLifecycle(b *testing.B) {
	defer func() { _ = log.SetLevel("info") }()
	for _, level := range []string{"info", "warn"} {
		for _, live := range []int{1, 100, 10_000} {
			b.Run(fmt.Sprintf("log=%s/live=%d", level, live), func(b *testing.B) {
				_ = log.SetLevel(level)
				benchmarkLifecycle(b, live)
			})
		}
	}
}

func benchmarkLifecycle(b *testing.B, live int) {
	ctx := context.Background()
	w := &exitWaiter{exits: make(map[string]chan struct{})}
	host := hcsfake.New(2)
	c, err := NewClient(Logger(ctx), Moby26, w, WithHost(host))
	if err != nil {
		b.Fatal(err)
	}
	s := spec(b, "cmd /c exit 0")
	for i := 0; i < live; i++ {
		if _, err := c.NewContainer(ctx, fmt.Sprint("live-", i), s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprint("c-", i)
		exited := w.expect(id)
		ctr, err := c.NewContainer(ctx, id, s)
		if err != nil {
			b.Fatal(err)
		}
		tsk, err := ctr.NewTask(ctx, discardIO)
		if err != nil {
			b.Fatal(err)
		}
		<-exited
		if _, err := tsk.Delete(ctx); err != nil {
			b.Fatal(err)
		}
		if err := ctr.Delete(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	c.eventQ.Wait()
}

func BenchmarkLifecycleHCSOnly(b *testing.B) {
	for _, live := range []int{1, 100, 10_000} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			host := hcsfake.New(2)
			document, _, err := Documents(context.Background(), "x", spec(b, "cmd"), host)
			if err != nil {
				b.Fatal(err)
			}
			config := func(id string) *hcs.ContainerConfig {
				c := *document
				c.Name = id
				return &c
			}
			for i := 0; i < live; i++ {
				id := fmt.Sprint("live-", i)
				c, err := host.CreateSystem(context.Background(), id, config(id))
				if err != nil || c.Start(context.Background()) != nil {
					b.Fatal(err)
				}
			}
			process := &hcs.ProcessConfig{CommandLine: "cmd /c exit 0", CreateStdInPipe: true, CreateStdOutPipe: true, CreateStdErrPipe: true}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				id := fmt.Sprint("c-", i)
				c, err := host.CreateSystem(context.Background(), id, config(id))
				if err != nil {
					b.Fatal(err)
				}
				_ = c.Start(context.Background())
				p, err := c.CreateProcess(context.Background(), process)
				if err != nil {
					b.Fatal(err)
				}
				_, _, _, _ = p.Stdio()
				_ = p.Wait(context.Background())
				_, _ = p.ExitCode(context.Background())
				_ = p.Close(context.Background())
				_ = c.Shutdown(context.Background())
				_ = c.WaitTimeout(context.Background(), DefaultShutdownTimeout)
				_ = c.Close(context.Background())
			}
		})
	}
}

// BenchmarkIdleContainer reports the memory a created container without a
// task holds: all of it, and the in-memory HCS's share of it.
func BenchmarkIdleContainer(b *testing.B) {
	const n = 2_000
	ctx := context.Background()
	s := spec(b, "cmd")
	var total, hcsOnly float64
	for i := 0; i < b.N; i++ {
		host := hcsfake.New(2)
		c, err := NewClient(Logger(ctx), Moby26, &exitWaiter{exits: map[string]chan struct{}{}}, WithHost(host))
		if err != nil {
			b.Fatal(err)
		}
		ctrs := make([]*Container, n)
		before := heapInUse()
		for j := range ctrs {
			if ctrs[j], err = c.NewContainer(ctx, fmt.Sprint("idle-", j), s); err != nil {
				b.Fatal(err)
			}
		}
		c.eventQ.Wait()
		total += float64(heapInUse()-before) / n

		// The same documents, created and handed to the host without the
		// library: what the host keeps of them is the host's.
		other := hcsfake.New(2)
		handles := make([]hcs.System, n)
		before = heapInUse()
		for j := range handles {
			id := fmt.Sprint("idle-", j)
			config, _, err := Documents(ctx, id, s, other)
			if err != nil {
				b.Fatal(err)
			}
			if handles[j], err = other.CreateSystem(context.Background(), id, config); err != nil {
				b.Fatal(err)
			}
			_ = handles[j].Start(context.Background())
		}
		hcsOnly += float64(heapInUse()-before) / n
		runtime.KeepAlive(ctrs)
		runtime.KeepAlive(handles)
	}
	b.ReportMetric(total/float64(b.N), "B/container")
	b.ReportMetric(hcsOnly/float64(b.N), "B/container-in-hcs")
	b.ReportMetric((total-hcsOnly)/float64(b.N), "B/container-in-library")
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkHeldEvent reports the memory a real event costs while the
// engine's Backend is blocked on its container: the queued delivery of a
// full EventInfo (ids, pid, exit code and time), as the backend emits it,
// not a bare closure as the queue comparison counts.
func BenchmarkHeldEvent(b *testing.B) {
	const n = 20_000
	var total float64
	for i := 0; i < b.N; i++ {
		release := make(chan struct{})
		backend := blockingBackend{release: release}
		c, err := NewClient(Logger(context.Background()), Moby26, backend, WithHost(hcsfake.New(2)))
		if err != nil {
			b.Fatal(err)
		}
		cl := c
		cl.emit(EventInfo{ContainerID: "held"}, EventCreate) // blocks the Backend
		before := heapInUse()
		for j := 0; j < n; j++ {
			cl.emit(EventInfo{
				ContainerID: "held",
				ProcessID:   fmt.Sprint("exec-", j),
				Pid:         uint32(j),
				ExitCode:    uint32(j),
				ExitedAt:    time.Now(),
			}, EventExit)
		}
		total += float64(heapInUse()-before) / n
		close(release)
		cl.eventQ.Wait()
	}
	b.ReportMetric(total/float64(b.N), "B/held-event")
}

// blockingBackend blocks every event until release is closed.
type blockingBackend struct{ release <-chan struct{} }

func (bb blockingBackend) ProcessEvent(string, EventType, EventInfo) error {
	<-bb.release
	return nil
}
