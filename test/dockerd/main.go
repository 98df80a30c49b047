// Command dockerd-scenarios runs the docker CLI against two of moby's
// dockerd.exe built from the same tree, moby's own (stock) and one with
// this library in place of its backend (ours), under Wine with the HCS
// emulator, and compares what each scenario shows an operator: every
// step's stdout, stderr and exit code, and the containers' State, modulo
// ids, times and process ids. A difference fails unless the README lists
// it among the deliberate differences from moby; so does a step that does
// not show, on either daemon, what it exists to show.
//
// With -rounds N it also times `docker run --rm`, one at a time and 20 at
// once, on both daemons in interleaved rounds (stock, ours, ours, stock,
// ...), and prints medians and spreads.
//
// It runs in a Wine prefix made by .ci/wine/prefix (test/dockerd/run does
// that); every path it is given is a Linux path.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/libcontainerd-windows/local/test/internal/wined"
)

// The wined types, under the names the scenarios use.
type (
	daemon = wined.Daemon
	result = wined.Result
)

func main() {
	var (
		stockExe  = flag.String("stock", "", "moby's dockerd.exe, with moby's backend")
		oursExe   = flag.String("ours", "", "the same tree's dockerd.exe, with this library")
		dockerCLI = flag.String("docker", "", "the docker CLI, docker.exe")
		wine      = flag.String("wine", "/usr/lib/wine/wine64", "the wine binary")
		readme    = flag.String("readme", "README.md", "the README that lists the deliberate differences")
		logDir    = flag.String("logs", ".", "where the daemons' logs go")
		rounds    = flag.Int("rounds", 0, "timing rounds of each daemon (0: no timing)")
		only      = flag.String("run", "", "only the scenarios whose name has this text")
		extra     = flag.String("dockerd-args", "", "more arguments for both daemons, space-separated")
	)
	flag.Parse()
	if *stockExe == "" || *oursExe == "" || *dockerCLI == "" {
		fmt.Fprintln(os.Stderr, "usage: dockerd-scenarios -stock DOCKERD.EXE -ours DOCKERD.EXE -docker DOCKER.EXE [-rounds N]")
		os.Exit(2)
	}
	if err := run(*stockExe, *oursExe, *dockerCLI, *wine, *readme, *logDir, *rounds, *only, strings.Fields(*extra)); err != nil {
		fmt.Fprintln(os.Stderr, "dockerd scenarios:", err)
		os.Exit(1)
	}
}

func run(stockExe, oursExe, dockerCLI, wine, readmePath, logDir string, rounds int, only string, extra []string) error {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	if err := checkReadme(string(readme)); err != nil {
		return err
	}
	ctx := context.Background()
	c := &wined.CLI{Wine: wine, Docker: wined.WindowsPath(dockerCLI)}
	stock, ours := wined.Pair(c, stockExe, oursExe, logDir, extra, nil)
	both := []*daemon{stock, ours}
	defer func() {
		for _, d := range both {
			d.Kill()
		}
	}()

	images, err := os.MkdirTemp("", "dockerd-images")
	if err != nil {
		return err
	}
	defer os.RemoveAll(images)
	tars, err := writeImages(images)
	if err != nil {
		return err
	}
	for _, d := range both {
		if err := d.StartWith(ctx, tars); err != nil {
			return err
		}
	}

	counts := playScenarios(ctx, stock, ours, only)
	fmt.Printf("\ndockerd scenarios: %d identical, %d deliberate differences, %d unexpected\n",
		counts[identical], counts[deliberately], counts[unexpected])

	if rounds > 0 {
		if err := timeRuns(ctx, stock, ours, rounds); err != nil {
			return err
		}
	}
	if counts[unexpected] > 0 {
		return fmt.Errorf("%d scenarios differ or fail (the daemons' logs are in %s)", counts[unexpected], logDir)
	}
	return nil
}

// writeImages writes the test images' tars into dir and returns their
// Windows paths.
func writeImages(dir string) ([]string, error) {
	var tars []string
	for _, img := range []struct {
		tag    string
		hyperv bool
	}{{image, false}, {hypervImg, true}} {
		tar, err := wined.WriteImage(dir, img.tag, img.hyperv)
		if err != nil {
			return nil, err
		}
		tars = append(tars, tar)
	}
	return tars, nil
}

// playScenarios plays each scenario whose name contains only on both
// daemons at once, prints how their steps compare, and counts the
// scenarios by their worst step.
func playScenarios(ctx context.Context, stock, ours *daemon, only string) map[verdict]int {
	counts := map[verdict]int{}
	for _, sc := range scenarios() {
		if only != "" && !strings.Contains(sc.name, only) {
			continue
		}
		var rs, ro []result
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); rs = play(ctx, stock, sc) }()
		go func() { defer wg.Done(); ro = play(ctx, ours, sc) }()
		wg.Wait()
		worst := identical
		fmt.Printf("\nscenario: %s\n", sc.name)
		for i, s := range sc.steps {
			rep := compareStep(sc, i, s, stock, ours, rs[i], ro[i])
			worst = max(worst, rep.verdict)
			printStep(rep)
		}
		counts[worst]++
	}
	return counts
}

func printStep(rep stepReport) {
	mark := map[verdict]string{identical: "identical", deliberately: "deliberate", unexpected: "UNEXPECTED"}[rep.verdict]
	fmt.Printf("   %-10s %s\n", mark, rep.step)
	if rep.stock == rep.ours {
		fmt.Printf("              both:  %s\n", brief(rep.stock))
	} else {
		fmt.Printf("              stock: %s\n              ours:  %s\n", brief(rep.stock), brief(rep.ours))
	}
	switch rep.verdict {
	case deliberately:
		fmt.Printf("              README: %q\n", rep.readmeText)
	case unexpected:
		fmt.Printf("              %s\n", rep.why)
		for _, side := range []struct {
			name string
			r    result
		}{{"stock", rep.stock}, {"ours", rep.ours}} {
			fmt.Printf("              %s stdout: %q\n              %s stderr: %q\n", side.name, side.r.Stdout, side.name, side.r.Stderr)
		}
	}
}
