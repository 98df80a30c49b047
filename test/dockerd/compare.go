package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/libcontainerd-windows/local/test/internal/wined"
)

// What differs between two daemons' answers and says nothing: container and
// image ids, times, process ids, and each daemon's own pipe, data root and
// working directory (cmd's prompt shows it).
var (
	longID    = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	shortID   = regexp.MustCompile(`\b[0-9a-f]{12}\b`)
	timestamp = regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?`)
	pidField  = regexp.MustCompile(`"Pid":\d+`)
)

// normalize is s with what says nothing about behaviour replaced by
// placeholders.
func normalize(s string, d *daemon) string {
	s = strings.ReplaceAll(s, "docker_"+d.Name, "docker_<daemon>")
	s = strings.ReplaceAll(s, d.Root, `C:\<data-root>`)
	s = strings.ReplaceAll(s, wined.WindowsPath(d.WorkDir()), `<work-dir>`)
	s = longID.ReplaceAllString(s, "<id>")
	s = shortID.ReplaceAllString(s, "<id>")
	s = timestamp.ReplaceAllString(s, "<time>")
	s = pidField.ReplaceAllString(s, `"Pid":<pid>`)
	return s
}

// A difference between the daemons that the README lists among the
// deliberate differences from moby: the scenario and step where it shows,
// and the README's words for it, which the suite checks are there.
type deliberate struct {
	scenario string
	step     int // index in the scenario's steps
	readme   string
}

// deliberateDifferences are the differences the library makes on purpose
// that a docker user can see. None shows in today's scenarios: the
// library's deliberate differences are where moby panics, leaks or
// answers unclassified errors, which the CLI does not reach.
var deliberateDifferences = []deliberate{}

// verdict is how one step compared.
type verdict int

const (
	identical verdict = iota
	deliberately
	unexpected
)

// stepReport compares one step's results on the two daemons and checks
// what the step must show on each.
type stepReport struct {
	step       step
	stock      result
	ours       result
	verdict    verdict
	why        string // what differs, or what a daemon failed to show
	readmeText string // for a deliberate difference
}

func compareStep(sc scenario, i int, s step, stock, ours *daemon, rs, ro result) stepReport {
	view := func(r result, d *daemon) result {
		r.Stdout, r.Stderr = normalize(r.Stdout, d), normalize(r.Stderr, d)
		if s.view != nil {
			r.Stdout = s.view(r.Stdout)
		}
		return r
	}
	rep := stepReport{step: s, stock: view(rs, stock), ours: view(ro, ours)}
	var problems []string
	if s.want != nil {
		for _, side := range []struct {
			name string
			r    result
		}{{"stock", rs}, {"ours", ro}} {
			if err := s.want(side.r); err != nil {
				problems = append(problems, side.name+": "+err.Error())
			}
		}
	}
	if rep.stock != rep.ours {
		problems = append(problems, "the daemons differ")
	}
	if len(problems) == 0 {
		return rep
	}
	rep.why = strings.Join(problems, "; ")
	rep.verdict = unexpected
	for _, dd := range deliberateDifferences {
		if dd.scenario == sc.name && dd.step == i && len(problems) == 1 && rep.stock != rep.ours {
			rep.verdict, rep.readmeText = deliberately, dd.readme
		}
	}
	return rep
}

// checkReadme reports the deliberate differences whose words the README
// lacks: a difference is deliberate only where the README says so.
func checkReadme(readme string) error {
	var missing []string
	for _, dd := range deliberateDifferences {
		if !strings.Contains(readme, dd.readme) {
			missing = append(missing, fmt.Sprintf("%s, step %d: %q", dd.scenario, dd.step+1, dd.readme))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("README.md does not list these differences as deliberate:\n  %s", strings.Join(missing, "\n  "))
	}
	return nil
}

// brief is a result in one line.
func brief(r result) string {
	out := strings.TrimSpace(strings.ReplaceAll(r.Stdout, "\r", ""))
	if r.Code != 0 && strings.TrimSpace(r.Stderr) != "" {
		out = strings.TrimSpace(strings.ReplaceAll(r.Stderr, "\r", ""))
	}
	out = strings.ReplaceAll(out, "\n", " | ")
	if len(out) > 70 {
		out = out[:67] + "..."
	}
	return fmt.Sprintf("exit %d %q", r.Code, out)
}
