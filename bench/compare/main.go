// Command compare runs the queue workloads on this library's queue and on
// moby v26.1.3's in one run and prints both, with the ratios.
package main

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/libcontainerd-windows/local/bench"
)

type workload struct {
	name   string
	run    func(*testing.B, func() bench.Queue)
	metric string
}

func main() {
	testing.Init()
	workloads := []workload{
		{"one container, 200k events", bench.OneContainer, "ns/event"},
		{"1,000 containers x 200 events", bench.ManyContainersWorkload, "ns/event"},
		{"stalled consumer: memory", bench.Stalled, "B/pending-event"},
		{"stalled consumer: goroutines", bench.Stalled, "goroutines/pending-event"},
	}
	fmt.Printf("%s, %d CPUs (GOMAXPROCS %d), %s/%s\n\n", runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("%-32s %-26s %14s %14s %10s\n", "workload", "metric", "ours", "moby", "moby/ours")
	results := map[string]testing.BenchmarkResult{}
	for _, w := range workloads {
		values := map[string]float64{}
		for _, impl := range bench.Implementations {
			key := fmt.Sprintf("%p/%s", w.run, impl.Name)
			r, ok := results[key]
			if !ok {
				r = testing.Benchmark(func(b *testing.B) { w.run(b, impl.New) })
				results[key] = r
			}
			values[impl.Name] = r.Extra[w.metric]
		}
		ratio := "n/a"
		if values["ours"] > 0 {
			ratio = fmt.Sprintf("%.1fx", values["moby"]/values["ours"])
		}
		fmt.Printf("%-32s %-26s %14.2f %14.2f %10s\n", w.name, w.metric, values["ours"], values["moby"], ratio)
	}
	os.Exit(0)
}
