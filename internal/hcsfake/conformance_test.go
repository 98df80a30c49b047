package hcsfake

import (
	"sync"
	"testing"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/hcs/hcstest"
)

// The in-memory host keeps the contract of the hcs interfaces.
func TestConformance(t *testing.T) {
	hcstest.Run(t, hcstest.Config{
		Name:         "the in-memory host",
		NewHost:      func(*testing.T) hcs.Host { return New(2, `C:\layers\base\UtilityVM`) },
		System:       func(_ *testing.T, id string) *hcs.ContainerConfig { return document(id, false) },
		HyperVSystem: func(_ *testing.T, id string) *hcs.ContainerConfig { return document(id, true) },
		ExistingPath: `C:\layers\base\UtilityVM`,
		Holder:       func(_ *testing.T, host hcs.Host) hcstest.Holder { return &holder{h: host.(*Host)} },
	})
}

// holder holds calls with hanging faults.
type holder struct {
	h     *Host
	mu    sync.Mutex
	hangs []chan struct{}
	calls map[Op]int // of each held op when Hold was called
}

func (x *holder) Hold(op string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.calls == nil {
		x.calls = make(map[Op]int)
	}
	hang := make(chan struct{})
	x.hangs = append(x.hangs, hang)
	x.calls[Op(op)] = x.h.Calls(Op(op))
	x.h.Inject(Fault{Op: Op(op), Hang: hang, Times: 1})
}

func (x *holder) AwaitHeld(op string) {
	x.mu.Lock()
	n := x.calls[Op(op)] + 1
	x.mu.Unlock()
	x.h.AwaitCalls(Op(op), n)
}

func (x *holder) Release() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, hang := range x.hangs {
		close(hang)
	}
	x.hangs = nil
}

func (x *holder) Calls(op string) int { return x.h.Calls(Op(op)) }
func (x *holder) OpenHandles() int    { return x.h.OpenHandles() }
