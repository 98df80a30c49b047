//go:build !windows

// Command lifecycle compares moby's and this library's backends over the
// real HCS binding; it runs on Windows, or under Wine with the HCS emulator
// (bench/lifecycle/run-under-wine).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "lifecycle runs on Windows or under Wine: see bench/lifecycle/run-under-wine")
	os.Exit(2)
}
