// Package queue runs functions in order per key, keys independently of each
// other. It is the drop-in replacement for moby's libcontainerd/queue: the
// zero value is ready and Append has moby's signature.
//
// moby's queue starts a goroutine per appended function, each parked until
// its predecessor finishes. This one keeps pending functions in a slice per
// key and runs them from a single worker goroutine per key that has pending
// work; a key with nothing pending costs nothing.
package queue

import "sync"

// Queue runs appended functions one at a time per id, in the order they were
// appended. Functions of different ids run concurrently.
type Queue struct {
	mu sync.Mutex
	// pending holds, for each id with a running worker, the functions not
	// yet started. Invariant: an id is a key iff its worker is running.
	pending map[string][]func()
	// unfinished counts the functions appended and not yet returned.
	unfinished int
	// drained is closed when unfinished drops to zero; nil while it is zero.
	drained chan struct{}
}

// Append schedules f to run after every function appended before it with the
// same id. It never blocks on f. f must not panic: a panic ends the process,
// as with any goroutine.
func (q *Queue) Append(id string, f func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.unfinished == 0 {
		q.drained = make(chan struct{})
	}
	q.unfinished++
	if fns, busy := q.pending[id]; busy {
		q.pending[id] = append(fns, f)
		return
	}
	if q.pending == nil {
		q.pending = make(map[string][]func())
	}
	q.pending[id] = nil
	go q.work(id, f)
}

// work runs f and then the functions appended for id meanwhile, until none
// is left.
func (q *Queue) work(id string, f func()) {
	for f != nil {
		f()
		f = q.next(id)
	}
}

// next accounts for the function that just returned and takes the next one
// for id, or retires the worker.
func (q *Queue) next(id string) func() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.unfinished--
	if q.unfinished == 0 {
		close(q.drained)
		q.drained = nil
	}
	fns := q.pending[id]
	if len(fns) == 0 {
		delete(q.pending, id)
		return nil
	}
	f := fns[0]
	fns[0] = nil // let the function be collected once it ran
	if len(fns) == 1 {
		fns = fns[:0] // reuse the backing array from its start
	} else {
		fns = fns[1:]
	}
	q.pending[id] = fns
	return f
}

// Wait blocks until every function appended before the call, and every one
// appended while it waits, has returned.
func (q *Queue) Wait() {
	q.mu.Lock()
	drained := q.drained
	q.mu.Unlock()
	if drained != nil {
		<-drained
	}
}
