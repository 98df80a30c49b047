package hcsblock

import (
	"context"
	"sync"
)

// putOff is what hcsblock tells a registry of a release it puts off:
// called when the release begins, it returns the function to call once
// the release ended. A nil putOff tracks nothing.
type putOff func() (end func())

// releases knows, per system id, the releases of handles on that system
// that were put off: a Close deferred behind calls in flight, a Close or a
// late answer's release that goes on after its caller stopped waiting.
// HCS keeps a stopped system's id until its last handle is closed, so a
// CreateSystem of the id made before those releases ended would fail with
// "already exists", and an OpenSystem would find a system its client
// deleted; both wait for them instead (host.CreateSystem, OpenSystem).
type releases struct {
	mu sync.Mutex
	// ids holds the put-off releases of each id; an id with none has no
	// entry.
	ids map[string]*pending
}

// pending is the put-off releases of one id: how many, and a channel
// closed when the last of them ended.
type pending struct {
	n    int
	done chan struct{}
}

// of returns the putOff that counts releases of id.
func (r *releases) of(id string) putOff {
	return func() func() {
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
}

// wait blocks until no release of id is put off, or returns ctx's error
// when ctx ends first.
func (r *releases) wait(ctx context.Context, id string) error {
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

// begin is p's begin, or nothing for a nil p.
func (p putOff) begin() (end func()) {
	if p == nil {
		return func() {}
	}
	return p()
}
