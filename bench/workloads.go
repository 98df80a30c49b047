// Package bench measures this library's event queue against moby v26.1.3's
// libcontainerd/queue in the same run. It is a module of its own so that the
// library's go.mod never depends on moby.
//
//	go run ./compare          # both queues, side by side, with the ratios
//	go test -bench . -benchmem # the same workloads as benchmarks (benchstat)
package bench

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	mobyqueue "github.com/docker/docker/libcontainerd/queue"

	"github.com/libcontainerd-windows/local/queue"
)

// Queue is what both queues offer: moby's Append.
type Queue interface {
	Append(id string, f func())
}

// Implementations are the queues compared, each made fresh per run.
var Implementations = []struct {
	Name string
	New  func() Queue
}{
	{"ours", func() Queue { return &queue.Queue{} }},
	{"moby", func() Queue { return &mobyqueue.Queue{} }},
}

// The workloads of the comparison.
const (
	OneContainerEvents = 200_000
	ManyContainers     = 1_000
	EventsPerContainer = 200
	StalledEvents      = 20_000
)

// ids are the container ids of the many-containers workload, made once.
var ids = func() []string {
	s := make([]string, ManyContainers)
	for i := range s {
		s[i] = fmt.Sprintf("container-%04d", i)
	}
	return s
}()

// OneContainer appends 200k events for one container and waits for all;
// it reports nanoseconds per event.
func OneContainer(b *testing.B, newQueue func() Queue) {
	perEvent(b, newQueue, OneContainerEvents, func(q Queue, done func()) {
		for j := 0; j < OneContainerEvents; j++ {
			q.Append("container", done)
		}
	})
}

// ManyContainersWorkload appends 200 events to each of 1,000 containers,
// interleaved, and waits for all; it reports nanoseconds per event.
func ManyContainersWorkload(b *testing.B, newQueue func() Queue) {
	perEvent(b, newQueue, ManyContainers*EventsPerContainer, func(q Queue, done func()) {
		for j := 0; j < EventsPerContainer; j++ {
			for _, id := range ids {
				q.Append(id, done)
			}
		}
	})
}

// perEvent times appendAll, which appends events events that each call
// done, on a new queue b.N times, waiting each time for all of them; it
// reports nanoseconds per event.
func perEvent(b *testing.B, newQueue func() Queue, events int, appendAll func(q Queue, done func())) {
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := newQueue()
		wg.Add(events)
		appendAll(q, wg.Done)
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
}

// Stalled measures what each pending event costs while the consumer of its
// container is stuck: heap and goroutine stacks, and goroutines, per event.
func Stalled(b *testing.B, newQueue func() Queue) {
	var bytes, goroutines float64
	for i := 0; i < b.N; i++ {
		q := newQueue()
		release := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(StalledEvents + 1)
		q.Append("stalled", func() { <-release; wg.Done() })

		before, g0 := memory(), runtime.NumGoroutine()
		for j := 0; j < StalledEvents; j++ {
			q.Append("stalled", wg.Done)
		}
		after, g1 := memory(), runtime.NumGoroutine()
		bytes += float64(after-before) / StalledEvents
		goroutines += float64(g1-g0) / StalledEvents

		close(release)
		wg.Wait()
	}
	b.ReportMetric(bytes/float64(b.N), "B/pending-event")
	b.ReportMetric(goroutines/float64(b.N), "goroutines/pending-event")
}

// memory is the heap in use plus goroutine stacks, after a collection.
func memory() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}
