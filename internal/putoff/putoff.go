// Package putoff counts, per id, the releases of a compute system's
// handles that were put off to the background, so that what needs the id
// free waits for them. HCS keeps a stopped system's id until its last
// handle is closed: a CreateSystem of the id made before such a release
// ended fails with "already exists", and an OpenSystem finds a system its
// client deleted.
package putoff

import (
	"context"
	"sync"
)

// Releases is the releases put off, per id. Its zero value is ready; it is
// safe for concurrent use.
type Releases struct {
	mu sync.Mutex
	// ids holds the releases of each id under way; an id with none has no
	// entry.
	ids map[string]*pending
}

// pending is the releases of one id under way: how many, and a channel
// closed when the last of them ended.
type pending struct {
	n    int
	done chan struct{}
}

// Begin counts a release of id that begins, until end is called (once;
// later calls do nothing).
func (r *Releases) Begin(id string) (end func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = make(map[string]*pending)
	}
	p := r.ids[id]
	if p == nil {
		p = &pending{done: make(chan struct{})}
		r.ids[id] = p
	}
	p.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if p.n--; p.n == 0 {
				close(p.done)
				delete(r.ids, id)
			}
		})
	}
}

// Wait blocks until no release of id is under way, or returns ctx's error
// when ctx ends first.
func (r *Releases) Wait(ctx context.Context, id string) error {
	for {
		r.mu.Lock()
		p := r.ids[id]
		r.mu.Unlock()
		if p == nil {
			return nil
		}
		select {
		case <-p.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
