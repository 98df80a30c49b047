// Package queue runs functions in order per key, keys independently of each
// other. It is the drop-in replacement for moby's libcontainerd/queue: the
// zero value is ready and Append has moby's signature.
//
// moby's queue starts a goroutine per appended function, each parked until
// its predecessor finishes. This one keeps the pending functions of a key in
// a slice and runs them, in batches, from one worker goroutine per key that
// has pending work; a key with nothing pending costs nothing.
//
// Starting a goroutine is most of what an event costs when events of many
// keys alternate, so workers are reused: a worker whose key ran dry takes
// over a key that became ready meanwhile instead of exiting, and a new
// goroutine is started only when no worker is on its way. A key never waits
// behind another key's functions: whenever keys are ready, one goroutine is
// being started for them.
package queue

import "sync"

// Queue runs appended functions one at a time per id, in the order they were
// appended. Functions of different ids run concurrently.
type Queue struct {
	mu sync.Mutex
	// All below is guarded by mu.

	// keys holds every id with pending functions or a worker serving it.
	keys map[string]*key
	// ready lists, in order, the keys with pending functions and no worker.
	ready []*key
	// starting is set while a goroutine started for the ready keys has not
	// taken one yet. Invariant: ready is non-empty only while starting is
	// set or a worker is about to take from it.
	starting bool
	// unfinished counts the functions appended and not yet returned.
	unfinished int
	// drained is closed when unfinished drops to zero; nil while it is zero.
	drained chan struct{}
}

// key is the state of one id.
type key struct {
	id      string
	pending []func() // appended, not yet taken by a worker
	// served is set while a worker owns the key; queued while it is in
	// Queue.ready. At most one of them is set.
	served, queued bool
}

// Append schedules f to run after every function appended before it with the
// same id. It never blocks on f. f must not panic: a panic ends the process,
// as with any goroutine. f may end its goroutine (runtime.Goexit, as
// t.FailNow does in a test's Backend): the functions after it still run. A
// nil f is nothing to run.
func (q *Queue) Append(id string, f func()) {
	if f == nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.unfinished == 0 {
		q.drained = make(chan struct{})
	}
	q.unfinished++
	k := q.keys[id]
	if k == nil {
		if q.keys == nil {
			q.keys = make(map[string]*key)
		}
		k = &key{id: id}
		q.keys[id] = k
	}
	k.pending = append(k.pending, f)
	if !k.served && !k.queued {
		k.queued = true
		q.ready = append(q.ready, k)
		q.startWorker()
	}
}

// startWorker starts a goroutine for the ready keys unless one is already
// on its way. q.mu must be held.
func (q *Queue) startWorker() {
	if len(q.ready) > 0 && !q.starting {
		q.starting = true
		go q.work()
	}
}

// work serves ready keys until none is left.
func (q *Queue) work() {
	q.mu.Lock()
	q.starting = false
	k := q.takeReady()
	q.mu.Unlock()
	q.serve(k, nil, 0)
}

// serve runs batch[from:], functions of k, then k's and other ready keys'
// functions until none is left. A function that ends its goroutine
// (runtime.Goexit) ends only itself: a new goroutine serves the rest, in
// order, so that nothing is lost and Wait returns. moby's queue loses them.
func (q *Queue) serve(k *key, batch []func(), from int) {
	i := from
	returned := false
	defer func() {
		if !returned {
			go q.serve(k, batch, i+1)
		}
	}()
	for k != nil {
		for ; i < len(batch); i++ {
			batch[i]()
			batch[i] = nil // let the function be collected
		}
		batch, k = q.next(k, batch)
		i = 0
	}
	returned = true
}

// takeReady takes the first ready key for the calling worker and, if more
// keys are ready, starts another goroutine for them, so that they do not
// wait for this worker's key. q.mu must be held.
func (q *Queue) takeReady() *key {
	if len(q.ready) == 0 {
		return nil
	}
	k := q.ready[0]
	q.ready[0] = nil
	q.ready = q.ready[1:]
	if len(q.ready) == 0 {
		q.ready = q.ready[:0:0] // drop the drained backing array
	}
	k.queued, k.served = false, true
	q.startWorker()
	return k
}

// next accounts for the batch that ran and returns the next batch to run and
// its key: more of k's functions, reusing the batch's array, or those of a
// key that became ready. It returns a nil key when the worker should exit.
func (q *Queue) next(k *key, ran []func()) ([]func(), *key) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(ran) > 0 {
		q.unfinished -= len(ran)
		if q.unfinished == 0 {
			close(q.drained)
			q.drained = nil
		}
	}
	if len(k.pending) == 0 {
		k.served = false
		delete(q.keys, k.id)
		if k = q.takeReady(); k == nil {
			return nil, nil
		}
	}
	batch := k.pending
	k.pending = ran[:0]
	return batch, k
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
