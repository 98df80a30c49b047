// Command runspec runs an OCI runtime spec through the Windows container
// backend, the way a container engine would, and shows what happens: the
// HCS documents the backend sends, the events it delivers, and what the
// container's processes print.
//
//	runspec config [flags] SPEC   print the HCS documents for SPEC
//	runspec run [flags] SPEC      run SPEC's container to its end
//
// SPEC is a config.json file or an OCI bundle directory holding one. On
// Windows, runspec drives the machine's HCS; elsewhere, or with
// --in-memory, the in-memory HCS, whose host facts the --host-cpus and
// --host-path flags set. Run `runspec help` for every flag.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(dispatch(context.Background(), os.Args[1:], streams{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, events: os.Stderr}))
}

// interruptible is ctx ended by the first Ctrl-C or SIGTERM, which `run`
// then answers by stopping its container; a second signal does what it
// does by default, ending runspec at once.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}
