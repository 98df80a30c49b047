package core

import (
	"errors"
	"fmt"

	"github.com/containerd/log"
)

// emit queues events, in the order given, for the container ei names. The
// engine's Backend receives them on the container's queue: one at a time
// per container, in the order emit was called, never holding a lock of ours.
//
// Callers emit while holding whatever lock orders the event's cause (the
// start event under container.mu, so that no pause can be reported first);
// emit itself never waits for the Backend.
func (c *Client) emit(ei EventInfo, events ...EventType) {
	// One queued function per event, so that a Backend that ends its
	// goroutine in one event (runtime.Goexit) still gets the next; appended
	// together, so that no other emit's event comes between them (moby
	// sends exec-added and exec-started from one function).
	c.emitting.Lock()
	defer c.emitting.Unlock()
	for _, event := range events {
		event := event // Go 1.21, the floor, shares the loop variable
		c.eventQ.Append(ei.ContainerID, func() { c.deliver(event, ei) })
	}
}

// deliver logs an event and hands it to the backend. A backend that fails
// gets its error logged; one that panics gets the panic logged and the
// event is dropped: the library and the other containers' events go on.
func (c *Client) deliver(event EventType, ei EventInfo) {
	logger := c.logger.WithFields(log.Fields{
		"container":  ei.ContainerID,
		"event":      event,
		"event-info": ei,
	})
	logger.Info("sending event")
	defer func() {
		if r := recover(); r != nil {
			// The value is logged as fmt prints it: a formatter that
			// calls its Error or String method (logrus's JSON one calls
			// Error) would panic again here for a typed nil, say, where
			// fmt recovers.
			logger.WithField("panic", fmt.Sprint(r)).Error("backend panicked processing event")
		}
	}()
	if err := c.backend.ProcessEvent(ei.ContainerID, event, ei); err != nil {
		logger.WithError(printable(err)).Error("failed to process event")
	}
}

// printable is err, or, when err's Error method panics (a typed nil whose
// method reads its receiver), an error reading as fmt prints err, which
// any log formatter can print.
func printable(err error) (safe error) {
	defer func() {
		if recover() != nil {
			safe = errors.New(fmt.Sprint(err))
		}
	}()
	_ = err.Error()
	return err
}
