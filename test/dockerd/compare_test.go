package main

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/libcontainerd-windows/local/test/internal/wined"
)

var (
	stockDaemon = &daemon{Name: "stock", Root: `C:\docker-stock`}
	oursDaemon  = &daemon{Name: "ours", Root: `C:\docker-ours`}
)

func TestNormalizeKeepsBehaviourOnly(t *testing.T) {
	id := strings.Repeat("ab12", 16)
	stock := `{"Status":"exited","Pid":1234,"ExitCode":7,"StartedAt":"2026-12-01T13:54:52.1374404Z"} ` +
		id + " " + id[:12] + ` C:\docker-stock\containers error during connect: npipe:////./pipe/docker_stock`
	ours := `{"Status":"exited","Pid":88,"ExitCode":7,"StartedAt":"2026-12-01T13:55:01Z"} ` +
		strings.Repeat("cd34", 16) + " " + "cd34cd34cd34" + ` C:\docker-ours\containers error during connect: npipe:////./pipe/docker_ours`
	assert.Equal(t, normalize(stock, stockDaemon), normalize(ours, oursDaemon))
	assert.Equal(t, normalize(stock, stockDaemon),
		`{"Status":"exited","Pid":<pid>,"ExitCode":7,"StartedAt":"<time>"} <id> <id> C:\<data-root>\containers error during connect: npipe:////./pipe/docker_<daemon>`)

	// cmd's prompt shows the daemon's working directory.
	assert.Equal(t, normalize(wined.WindowsPath(stockDaemon.WorkDir())+">from stdin", stockDaemon),
		normalize(wined.WindowsPath(oursDaemon.WorkDir())+">from stdin", oursDaemon))

	// What a daemon does stays: an exit code, a status, a word.
	assert.Assert(t, normalize(`"ExitCode":7`, stockDaemon) != normalize(`"ExitCode":8`, oursDaemon))
	assert.Assert(t, normalize("exited", stockDaemon) != normalize("running", oursDaemon))
}

func TestCompareStep(t *testing.T) {
	sc := scenario{name: "s"}
	s := docker("run", "x").exits(0).prints("hi")
	ok := result{Stdout: "hi\r\n"}

	rep := compareStep(sc, 0, s, stockDaemon, oursDaemon, ok, ok)
	assert.Equal(t, rep.verdict, identical)

	// Another exit code or output is a difference.
	rep = compareStep(sc, 0, docker("run", "x"), stockDaemon, oursDaemon, ok, result{Stdout: "hi\r\n", Code: 1})
	assert.Equal(t, rep.verdict, unexpected)
	assert.Check(t, is.Contains(rep.why, "the daemons differ"))
	rep = compareStep(sc, 0, docker("run", "x"), stockDaemon, oursDaemon, ok, result{Stdout: "hi\r\n", Stderr: "warning"})
	assert.Equal(t, rep.verdict, unexpected)

	// Two daemons that fail alike do not pass: the step's want holds for each.
	broken := result{Code: 1, Stderr: "no such image"}
	rep = compareStep(sc, 0, s, stockDaemon, oursDaemon, broken, broken)
	assert.Equal(t, rep.verdict, unexpected)
	assert.Check(t, is.Contains(rep.why, "stock: exit code 1, want 0"))
	assert.Check(t, is.Contains(rep.why, "ours: exit code 1, want 0"))

	// A view compares only what it keeps.
	top := docker("top", "c").viewed(processNames)
	rep = compareStep(sc, 0, top, stockDaemon, oursDaemon,
		result{Stdout: "Name PID CPU\ncmd 1564 00:00:00.000\n"}, result{Stdout: "Name PID CPU\ncmd 2036 00:00:00.015\n"})
	assert.Equal(t, rep.verdict, identical)
}

func TestDeliberateDifferences(t *testing.T) {
	defer func(saved []deliberate) { deliberateDifferences = saved }(deliberateDifferences)
	deliberateDifferences = []deliberate{{scenario: "s", step: 1, readme: "pause answers politely"}}
	sc := scenario{name: "s"}
	a, b := result{Stdout: "a"}, result{Stdout: "b"}

	rep := compareStep(sc, 1, docker("pause", "c"), stockDaemon, oursDaemon, a, b)
	assert.Equal(t, rep.verdict, deliberately)
	assert.Equal(t, rep.readmeText, "pause answers politely")
	// Only at its step, and not when a daemon also fails what the step must show.
	assert.Equal(t, compareStep(sc, 0, docker("pause", "c"), stockDaemon, oursDaemon, a, b).verdict, unexpected)
	assert.Equal(t, compareStep(sc, 1, docker("pause", "c").exits(3), stockDaemon, oursDaemon, a, b).verdict, unexpected)

	// A difference is deliberate only where the README says so.
	assert.NilError(t, checkReadme("... pause answers politely ..."))
	assert.ErrorContains(t, checkReadme("nothing"), `s, step 2: "pause answers politely"`)
}

func TestTheDeliberateDifferencesAreInTheReadme(t *testing.T) {
	// The suite refuses to start otherwise; this says so before CI runs it.
	readme := readFile(t, "../../README.md")
	assert.NilError(t, checkReadme(readme))
}

func TestRoundsAreABBA(t *testing.T) {
	var got []string
	for r := 0; r < 8; r++ {
		got = append(got, order(r, stockDaemon, oursDaemon).Name)
	}
	assert.DeepEqual(t, got, []string{"stock", "ours", "ours", "stock", "stock", "ours", "ours", "stock"})
}
