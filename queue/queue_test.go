package queue

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// moby's TestSerialization, with Wait in place of its sleeps.
func TestSerialization(t *testing.T) {
	var (
		q             Queue
		serialization = 1
	)
	q.Append("aaa", func() {
		assert.Equal(t, serialization, 1)
		serialization = 2
	})
	q.Append("aaa", func() {
		assert.Equal(t, serialization, 2)
		serialization = 3
	})
	q.Append("aaa", func() {
		assert.Equal(t, serialization, 3)
		serialization = 4
	})
	q.Wait()
	assert.Equal(t, serialization, 4)
}

func TestOrderPerIDUnderConcurrentProducers(t *testing.T) {
	const ids, producers, perProducer = 20, 8, 250
	var (
		q    Queue
		mu   sync.Mutex
		seen = make(map[string][]int) // per id, in run order: producer*perProducer+seq
	)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		p := p // Go 1.21, the floor, shares the loop variable
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perProducer; i++ {
				id := fmt.Sprintf("ctr-%d", (p+i)%ids)
				v := p*perProducer + i
				q.Append(id, func() {
					mu.Lock()
					seen[id] = append(seen[id], v)
					mu.Unlock()
				})
			}
		}()
	}
	wg.Wait()
	q.Wait()

	total := 0
	for id, vs := range seen {
		total += len(vs)
		// Each producer appended its items for an id in increasing order,
		// so they must have run in that order.
		last := make(map[int]int)
		for _, v := range vs {
			p := v / perProducer
			prev, ok := last[p]
			assert.Check(t, !ok || prev < v, "id %s: producer %d ran %d after %d", id, p, v, prev)
			last[p] = v
		}
	}
	assert.Equal(t, total, producers*perProducer)
}

func TestBlockedIDDoesNotDelayOthers(t *testing.T) {
	var q Queue
	release := make(chan struct{})
	blockedRan := make(chan struct{})
	q.Append("blocked", func() { <-release })
	q.Append("blocked", func() { close(blockedRan) })

	// Every other id's functions run to completion while "blocked" is stuck.
	done := make(chan string, 100)
	for i := 0; i < 100; i++ {
		id := fmt.Sprintf("free-%d", i)
		q.Append(id, func() { done <- id })
	}
	got := make(map[string]bool)
	for i := 0; i < 100; i++ {
		got[<-done] = true
	}
	assert.Check(t, is.Len(got, 100))
	select {
	case <-blockedRan:
		t.Fatal("the second function of the blocked id ran before the first returned")
	default:
	}

	close(release)
	<-blockedRan
	q.Wait()
}

func TestOneWorkerPerBusyID(t *testing.T) {
	var q Queue
	release := make(chan struct{})
	running := make(chan struct{}, 1)
	q.Append("a", func() { running <- struct{}{}; <-release })
	<-running
	for i := 0; i < 1000; i++ {
		q.Append("a", func() {})
	}
	q.mu.Lock()
	keys, pending, ready := len(q.keys), len(q.keys["a"].pending), len(q.ready)
	q.mu.Unlock()
	assert.Equal(t, keys, 1)
	assert.Equal(t, pending, 1000)
	assert.Equal(t, ready, 0, "served by its worker, not waiting for another")
	close(release)
	q.Wait()

	q.mu.Lock()
	defer q.mu.Unlock()
	assert.Check(t, is.Len(q.keys, 0), "an idle id keeps no state")
	assert.Equal(t, q.unfinished, 0)
}

func TestWaitOnEmptyQueue(t *testing.T) {
	var q Queue
	q.Wait() // returns at once: nothing was appended

	q.Append("a", func() {})
	q.Wait()
	q.Append("a", func() {})
	q.Wait() // a second cycle gets a fresh drained channel
}

func TestAppendFromARunningFunction(t *testing.T) {
	var q Queue
	var order []int
	q.Append("a", func() {
		order = append(order, 1)
		q.Append("a", func() { order = append(order, 3) })
		order = append(order, 2)
	})
	q.Wait()
	assert.DeepEqual(t, order, []int{1, 2, 3})
}

// A goroutine per id with pending work, none more, however many functions
// are pending; none at all once the queue drained (goleak, in TestMain).
func TestGoroutinesPerBusyID(t *testing.T) {
	const busy = 10
	var q Queue
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(busy)
	for i := 0; i < busy; i++ {
		q.Append(fmt.Sprint("ctr-", i), func() { entered.Done(); <-release })
	}
	entered.Wait()
	for i := 0; i < 1000; i++ {
		q.Append(fmt.Sprint("ctr-", i%busy), func() {})
	}
	// The goroutine started for the last ready id may still be on its way
	// out; wait until only the workers are left.
	for workers() > busy {
		runtime.Gosched()
	}
	assert.Equal(t, workers(), busy)
	close(release)
	q.Wait()
}

// workers counts the goroutines running a queue's worker.
func workers() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "queue.(*Queue).work(")
}

// Workers are handed over from id to id; each id's order holds even when
// ids take turns with one producer, the case where that happens most.
func TestOrderWhenIDsAlternate(t *testing.T) {
	const ids, rounds = 50, 200
	var q Queue
	var mu sync.Mutex
	last := make(map[int]int)
	for r := 0; r < rounds; r++ {
		for i := 0; i < ids; i++ {
			r, i := r, i // Go 1.21, the floor, shares loop variables
			q.Append(fmt.Sprint(i), func() {
				mu.Lock()
				defer mu.Unlock()
				if got := last[i]; got != r {
					t.Errorf("id %d ran round %d after %d", i, r, got-1)
				}
				last[i] = r + 1
			})
		}
	}
	q.Wait()
	for i := 0; i < ids; i++ {
		assert.Equal(t, last[i], rounds)
	}
}

// A function that ends its goroutine, as t.FailNow does in an engine's test
// Backend, loses neither the functions after it nor Wait's return.
func TestGoexit(t *testing.T) {
	var q Queue
	var mu sync.Mutex
	var ran []int
	record := func(v int) func() {
		return func() {
			mu.Lock()
			ran = append(ran, v)
			mu.Unlock()
		}
	}
	q.Append("a", record(1))
	q.Append("a", func() { runtime.Goexit() })
	q.Append("a", record(2))
	q.Append("a", func() { runtime.Goexit() })
	q.Append("a", func() { runtime.Goexit() })
	q.Append("a", record(3))
	q.Wait()
	q.Append("a", record(4))
	q.Append("a", nil) // nothing to run
	q.Wait()
	assert.DeepEqual(t, ran, []int{1, 2, 3, 4})
}
