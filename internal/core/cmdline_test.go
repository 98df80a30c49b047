package core

import (
	"testing"

	"gotest.tools/v3/assert"
)

// The rules of Windows' EscapeArg, one case each; the expected strings are
// what CommandLineToArgvW must read back as the argument.
func TestEscapeArg(t *testing.T) {
	for _, tc := range []struct{ name, arg, want string }{
		{"plain", `cmd`, `cmd`},
		{"empty", ``, `""`},
		{"space", `a b`, `"a b"`},
		{"tab", "a\tb", "\"a\tb\""},
		{"quote", `say "hi"`, `"say \"hi\""`},
		{"quote without space", `a"b`, `a\"b`},
		{"backslashes alone stay", `C:\dir\file`, `C:\dir\file`},
		{"trailing backslash without space stays", `C:\dir\`, `C:\dir\`},
		{"trailing backslash with space doubles", `C:\my dir\`, `"C:\my dir\\"`},
		{"trailing run with space doubles", `a b\\`, `"a b\\\\"`},
		{"run before quote doubles", `a\\"b`, `a\\\\\"b`},
		{"run before quote with space", `a \"b`, `"a \\\"b"`},
		{"backslash not before quote", `a\b c`, `"a\b c"`},
		{"newline is not quoted", "a\nb", "a\nb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, escapeArgs([]string{tc.arg}), tc.want)
		})
	}
}

func TestEscapeArgsJoinsWithSpaces(t *testing.T) {
	assert.Equal(t, escapeArgs([]string{"cmd", "/c", "echo hi", ""}), `cmd /c "echo hi" ""`)
	assert.Equal(t, escapeArgs(nil), "")
}
