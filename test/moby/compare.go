package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// A deliberate difference is a test of moby's whose result the library
// changes on purpose, with the README's words for it, which the harness
// checks are there.
type deliberate struct {
	test   string // Test or Suite/Test
	readme string
}

// deliberateDifferences are moby's tests whose result differs on purpose.
// None does today: every test moby runs on Windows gives the same result
// with the library.
var deliberateDifferences = []deliberate{}

// documented returns the tests whose difference the README lists, or an
// error naming those whose words the README lacks.
func documented(readme string) (map[string]bool, error) {
	tests := map[string]bool{}
	var missing []string
	for _, dd := range deliberateDifferences {
		if !strings.Contains(readme, dd.readme) {
			missing = append(missing, fmt.Sprintf("%s: %q", dd.test, dd.readme))
		}
		tests[dd.test] = true
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("README.md does not list these differences as deliberate:\n  %s", strings.Join(missing, "\n  "))
	}
	return tests, nil
}

// A tally counts tests by how they compare.
type tally struct {
	ran, passBoth, failBoth, documented, unexpected int
	knownHangs                                      int // not run
}

func (t *tally) add(o tally) {
	t.ran += o.ran
	t.passBoth += o.passBoth
	t.failBoth += o.failBoth
	t.documented += o.documented
	t.unexpected += o.unexpected
	t.knownHangs += o.knownHangs
}

func (t tally) String() string {
	return fmt.Sprintf("%d ran, %d pass on both, %d fail on both, %d differ as documented, %d unexpected",
		t.ran, t.passBoth, t.failBoth, t.documented, t.unexpected)
}

// reruns is how many times a test whose outcome differs is run again on
// both daemons, until the two agree: moby's tests with tight timings (a
// 50 ms health check under Wine) flip on either daemon now and then; a
// difference the backend makes does not go away.
const reruns = 3

// runUnit runs the unit on both daemons, runs each test whose outcome
// differs again on both, alone, and writes every test's line to results.
func (h *harness) runUnit(ctx context.Context, u unit, results io.Writer) tally {
	logName := strings.ReplaceAll(u.name, "/", "-")
	stock, ours := h.runBoth(ctx, u, u.run, logName)
	var t tally
	for _, hang := range hangsOf(u) {
		t.knownHangs++
		fmt.Fprintf(results, "%s\t%s\t-\t-\tnot run: it hangs under the emulator: %s\n", u.name, hang.test, hang.why)
	}
	for _, name := range union(stock, ours) {
		s, o := outcomeOf(stock, name), outcomeOf(ours, name)
		var runs []string
		for again := 1; s != o && again <= reruns; again++ {
			runs = append(runs, string(s)+"/"+string(o))
			rs, ro := h.runBoth(ctx, u, testPattern(name), fmt.Sprintf("%s-again%d-%s", logName, again, strings.ReplaceAll(name, "/", "-")))
			s, o = outcomeOf(rs, name), outcomeOf(ro, name)
		}
		note := ""
		if len(runs) > 0 {
			note = "(stock/ours: " + strings.Join(append(runs, string(s)+"/"+string(o)), ", ") + ")"
		}
		v := t.count(name, s, o, h.deliberate)
		fmt.Fprintf(results, "%s\t%s\t%s\t%s\t%s\n", u.name, name, s, o, strings.TrimSpace(v+" "+note))
		if v == "UNEXPECTED" {
			fmt.Printf("   UNEXPECTED %s: stock %s, ours %s %s\n", name, s, o, note)
		} else if note != "" {
			fmt.Printf("   %s: %s when run again %s\n", name, v, note)
		}
	}
	return t
}

// count adds one test's outcomes to the tally and names its verdict.
func (t *tally) count(name string, stock, ours outcome, deliberate map[string]bool) string {
	switch {
	case stock == skip && ours == skip:
		return "skipped"
	case stock == ours && stock == pass:
		t.ran++
		t.passBoth++
		return "pass on both"
	case stock == ours:
		t.ran++
		t.failBoth++
		return string(stock) + " on both"
	case deliberate[name]:
		t.ran++
		t.documented++
		return "differs as documented"
	default:
		t.ran++
		t.unexpected++
		return "UNEXPECTED"
	}
}

// outcomeOf is the test's outcome, none where the run has none.
func outcomeOf(results map[string]outcome, name string) outcome {
	if o, ok := results[name]; ok {
		return o
	}
	return none
}

// union lists the tests either run reported, sorted.
func union(a, b map[string]outcome) []string {
	seen := map[string]bool{}
	var names []string
	for _, m := range []map[string]outcome{a, b} {
		for name := range m {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}
