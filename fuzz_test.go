package local

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzDocuments feeds the translation arbitrary specs, seeded with the
// golden corpus: it never panics, and it either returns documents the
// in-memory HCS accepts, including a process it starts, or an
// invalid-parameter error.
//
//	go test -run XXX -fuzz FuzzDocuments -fuzztime 1m .
func FuzzDocuments(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "specs", "*.json"))
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
			if !cerrdefs.IsInvalidArgument(err) {
				t.Fatalf("an error without the invalid-parameter class: %v", err)
			}
			return
		}
		c, err := host.CreateContainer("fuzz", config)
		if err != nil {
			t.Fatalf("HCS refuses the document: %v\n%+v", err, config)
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		p, err := c.CreateProcess(process)
		if err != nil {
			t.Fatalf("HCS refuses the process document: %v", err)
		}
		if _, err := execProcessConfig(spec.Process, spec.Process.Cwd); err != nil {
			t.Fatal(err)
		}
		_ = p.Kill()
		_ = c.Terminate()
		_ = c.Wait()
		_ = p.Close()
		_ = c.Close()
	})
}

// FuzzEscapeArgs checks that a command line built from arguments reads
// back, by the rules Windows programs split their command line with
// (CommandLineToArgvW and the C runtime), as the same arguments.
func FuzzEscapeArgs(f *testing.F) {
	for _, seed := range [][]string{
		{"cmd", "/c", "echo hello"},
		{"", `a"b`, `C:\my dir\`, "tab\there", `a\\"b`, `\\server\share\`},
		{`"`, `\`, `\"`, `""`, " ", "\t"},
	} {
		f.Add(strings.Join(seed, "\x00"))
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		for _, a := range args {
			// Windows splits only at spaces and tabs; EscapeArg, like
			// Windows, leaves other whitespace alone and NUL cannot be
			// in a command line.
			if strings.ContainsAny(a, "\x00") {
				return
			}
		}
		line := escapeArgs(args)
		got := splitCommandLine(line)
		if len(got) != len(args) {
			t.Fatalf("%q -> %q -> %q", args, line, got)
		}
		for i := range args {
			if got[i] != args[i] {
				t.Fatalf("argument %d: %q -> %q -> %q", i, args[i], line, got[i])
			}
		}
	})
}

// splitCommandLine splits a command line as Windows programs do: arguments
// are separated by spaces and tabs outside quotes; 2n backslashes before a
// quote are n backslashes and the quote opens or closes; 2n+1 backslashes
// before a quote are n backslashes and a literal quote; other backslashes
// are literal.
func splitCommandLine(line string) []string {
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
