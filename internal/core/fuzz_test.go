package core

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gotest.tools/v3/assert"
)

// FuzzDocuments feeds the translation arbitrary specs, seeded with the
// golden corpus: it never panics, and it either returns documents the
// in-memory HCS accepts, including a process it starts, or an
// invalid-parameter error.
//
//	go test -run XXX -fuzz FuzzDocuments -fuzztime 1m .
func FuzzDocuments(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(specsDir, "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec *specs.Spec
		if json.Unmarshal(data, &spec) != nil {
			return
		}
		host := goldenHost()
		config, process, err := Documents(context.Background(), "fuzz", spec, host)
		if err != nil {
			if !isInvalidParameter(err) {
				t.Fatalf("an error without the invalid-parameter class: %v", err)
			}
			return
		}
		c, err := host.CreateSystem(context.Background(), "fuzz", config)
		if err != nil {
			t.Fatalf("HCS refuses the document: %v\n%+v", err, config)
		}
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		p, err := c.CreateProcess(context.Background(), process)
		if err != nil {
			t.Fatalf("HCS refuses the process document: %v", err)
		}
		if _, err := execProcessConfig(spec.Process, spec.Process.Cwd); err != nil {
			t.Fatal(err)
		}
		_ = p.Kill(context.Background())
		_ = c.Terminate(context.Background())
		_ = c.Wait(context.Background())
		_ = p.Close(context.Background())
		_ = c.Close(context.Background())
	})
}

// FuzzEscapeArgs checks what holds of a command line built from arguments,
// read back by the rules Windows programs split their command line with
// (CommandLineToArgvW and the C runtime): every argument after the first
// reads back as it was; the first, the program name, which Windows reads by
// other rules and moby escapes like the rest, reads back whenever it is a
// valid program path (see validProgramName).
func FuzzEscapeArgs(f *testing.F) {
	for _, seed := range [][]string{
		{"cmd", "/c", "echo hello"},
		{"", `a"b`, `C:\my dir\`, "tab\there", `a\\"b`, `\\server\share\`},
		{`"`, `\`, `\"`, `""`, " ", "\t"},
		{`C:\Program Files\app.exe`, "x"},
		{`C:\my dir\`, "x"},
	} {
		f.Add(strings.Join(seed, "\x00"))
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		// The arguments after a plain program name always read back.
		withProgram := append([]string{"prog"}, args...)
		assertReadsBack(t, withProgram, splitCommandLine(escapeArgs(withProgram)))
		if validProgramName(args[0]) {
			assertReadsBack(t, args, splitCommandLine(escapeArgs(args)))
		}
	})
}

// validProgramName reports whether name reads back as the program name of
// the command line moby builds: it has no quote, and, when it is quoted
// (it has a space or a tab), it does not end with a backslash, which
// EscapeArg doubles and the program-name rule keeps doubled.
func validProgramName(name string) bool {
	return !strings.Contains(name, `"`) && !(strings.ContainsAny(name, " \t") && strings.HasSuffix(name, `\`))
}

func assertReadsBack(t *testing.T, args, got []string) {
	t.Helper()
	if len(got) != len(args) {
		t.Fatalf("%q -> %q -> %q", args, escapeArgs(args), got)
	}
	for i := range args {
		if got[i] != args[i] {
			t.Fatalf("argument %d: %q -> %q -> %q", i, args[i], escapeArgs(args), got[i])
		}
	}
}

// A program name that is not a valid program path does not read back:
// moby escapes argv[0] like any other argument (its output is kept).
func TestProgramNameRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // as Windows reads it back
	}{
		{`C:\Program Files\app.exe`, `C:\Program Files\app.exe`},
		{`C:\dir\`, `C:\dir\`},
		{"", ""},
		{`C:\my dir\`, `C:\my dir\\`},
		{`a"b`, `a\"b`},
	} {
		assert.Check(t, validProgramName(tc.name) == (tc.name == tc.want), "%q", tc.name)
		assert.Equal(t, splitCommandLine(escapeArgs([]string{tc.name, "x"}))[0], tc.want)
	}
}

// splitCommandLine splits a command line as Windows programs do. The
// program name comes first: up to the next quote when it starts with one,
// else up to the first space or tab, backslashes literal. Then arguments
// are separated by spaces and tabs outside quotes; 2n backslashes before a
// quote are n backslashes and the quote opens or closes; 2n+1 backslashes
// before a quote are n backslashes and a literal quote; other backslashes
// are literal.
func splitCommandLine(line string) []string {
	var end int
	if strings.HasPrefix(line, `"`) {
		end = strings.IndexByte(line[1:], '"') + 1
		if end == 0 {
			end = len(line)
		}
		args := []string{line[1:end]}
		return append(args, splitArguments(line[min(end+1, len(line)):])...)
	}
	end = strings.IndexAny(line, " \t")
	if end < 0 {
		end = len(line)
	}
	return append([]string{line[:end]}, splitArguments(line[end:])...)
}

// splitArguments splits what follows the program name.
func splitArguments(line string) []string {
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(line) && line[i] == '\\' {
				n++
				i++
			}
			if i < len(line) && line[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					quoted = !quoted
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			inArg = true
		case c == '"':
			quoted = !quoted
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}
