package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// scaleSizes are the numbers of running containers the scale table
// compares; scaleRounds how many rounds of each backend it takes, in ABBA
// order.
var scaleSizes = []int{1, 50, 200}

const (
	scaleRounds     = 3
	scaleLifecycles = 5 // lifecycles among the running containers
)

// scaleTable shows, for each size, what starting that many containers
// costs each, a lifecycle among them, and the goroutines and heap each of
// them holds: flat rows mean the cost of a container does not grow with
// their number.
func scaleTable() error {
	all := map[string]figures{"moby": {}, "ours": {}}
	for i := 0; i < 2*scaleRounds; i++ {
		name := order(i)
		if err := runChild(all[name], name, "scale"); err != nil {
			return err
		}
	}
	fmt.Printf("%s, %d CPUs, %s/%s, HCS: %s, %d rounds of each backend in ABBA order\n", runtime.Version(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, hcsName(), scaleRounds)
	fmt.Printf("median of the rounds [fastest, slowest round]\n\n")
	fmt.Printf("%-42s %-28s %s\n", "", "moby v26.1.3", "this library")
	for _, n := range scaleSizes {
		for _, row := range []struct{ key, unit string }{
			{"start, per container", "ms"}, {"a lifecycle among them", "ms"},
			{"goroutines per container", ""}, {"heap per container", "KiB"},
		} {
			key := fmt.Sprintf("%d running: %s", n, row.key)
			fmt.Printf("%-42s %-28s %s\n", key, cell(all["moby"][key], row.unit), cell(all["ours"][key], row.unit))
		}
	}
	return nil
}

// scaleChild measures each size with the backend called name.
func scaleChild(name string) error {
	b, err := warmBackend(name)
	if err != nil {
		return err
	}
	for _, n := range scaleSizes {
		g, h := goroutines(), heap()
		started := time.Now()
		containers, err := startMany(b, n)
		if err != nil {
			return err
		}
		perStart := ms(time.Since(started)) / float64(n)
		g2, h2 := goroutines(), heap()
		lifecycles := time.Now()
		for i := 0; i < scaleLifecycles; i++ {
			if err := lifecycle(context.Background(), b, nextID()); err != nil {
				return err
			}
		}
		perLifecycle := ms(time.Since(lifecycles)) / scaleLifecycles
		if err := stopAll(containers); err != nil {
			return err
		}
		fmt.Printf("%d running: start, per container %g\n", n, perStart)
		fmt.Printf("%d running: a lifecycle among them %g\n", n, perLifecycle)
		fmt.Printf("%d running: goroutines per container %g\n", n, (g2-g)/float64(n))
		fmt.Printf("%d running: heap per container %g\n", n, (h2-h)/float64(n)/1024)
	}
	return nil
}
