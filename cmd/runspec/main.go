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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], streams{stdout: os.Stdout, stderr: os.Stderr, events: os.Stderr})
	stop()
	os.Exit(code)
}
