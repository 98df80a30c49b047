package main

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// The timing's workload: `docker run --rm` of a command that prints and
// exits, one at a time (perRound in a row) and atOnceN at once.
const (
	perRound = 5
	atOnceN  = 20
)

// timeRuns times both daemons in interleaved rounds, stock and ours in
// ABBA order (stock, ours, ours, stock, ...), so that a machine's drift
// weighs on both alike, and prints each daemon's median latency per run
// and the spread of its rounds' medians.
func timeRuns(ctx context.Context, stock, ours *daemon, rounds int) error {
	type key struct {
		d    *daemon
		mode string
	}
	medians := map[key][]time.Duration{}
	for r := 0; r < 2*rounds; r++ {
		d := order(r, stock, ours)
		one, err := oneAtATime(ctx, d)
		if err != nil {
			return err
		}
		many, err := manyAtOnce(ctx, d)
		if err != nil {
			return err
		}
		medians[key{d, "one"}] = append(medians[key{d, "one"}], median(one))
		medians[key{d, "many"}] = append(medians[key{d, "many"}], median(many))
	}
	fmt.Printf("\ndocker run --rm latency, %d rounds of each daemon in ABBA order (median of the rounds' medians, [fastest, slowest round]):\n", rounds)
	fmt.Printf("   %-32s %-28s %s\n", "", "stock (moby's backend)", "ours (this library)")
	for _, mode := range []struct{ key, label string }{{"one", "one at a time"}, {"many", fmt.Sprintf("%d at once (each run)", atOnceN)}} {
		cell := func(d *daemon) string {
			m := medians[key{d, mode.key}]
			sorted := append([]time.Duration(nil), m...)
			sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
			return fmt.Sprintf("%4d ms [%d, %d]", median(m).Milliseconds(), sorted[0].Milliseconds(), sorted[len(sorted)-1].Milliseconds())
		}
		fmt.Printf("   %-32s %-28s %s\n", mode.label, cell(stock), cell(ours))
	}
	return nil
}

// order returns which daemon runs the round: stock, ours, ours, stock, ...
func order(round int, stock, ours *daemon) *daemon {
	if round%4 == 0 || round%4 == 3 {
		return stock
	}
	return ours
}

func timedRun(ctx context.Context, d *daemon) (time.Duration, error) {
	started := time.Now()
	r := d.Docker(ctx, "", "run", "--rm", image, "cmd", "/c", "echo timed")
	if r.Code != 0 {
		return 0, fmt.Errorf("timed docker run (%s): exit %d: %s", d.Name, r.Code, r.Stderr)
	}
	return time.Since(started), nil
}

func oneAtATime(ctx context.Context, d *daemon) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; i < perRound; i++ {
		t, err := timedRun(ctx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func manyAtOnce(ctx context.Context, d *daemon) ([]time.Duration, error) {
	out := make([]time.Duration, atOnceN)
	errs := make([]error, atOnceN)
	concurrently(atOnceN, func(i int) { out[i], errs[i] = timedRun(ctx, d) })
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
