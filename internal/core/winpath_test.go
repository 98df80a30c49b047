package core

import (
	"testing"

	"gotest.tools/v3/assert"
)

// winPathCases are checked against these answers everywhere and, on Windows,
// against path/filepath itself (winpath_windows_test.go).
var winPathCases = []struct {
	path, base, joined string
}{
	{`C:\a\b`, `b`, `C:\a\b\UtilityVM`},
	{`C:\a\b\`, ``, `C:\a\b\UtilityVM`},
	{`C:/a/b`, `b`, `C:\a\b\UtilityVM`},
	{`C:\a\..\b`, `b`, `C:\b\UtilityVM`},
	{`C:b`, `b`, `C:b\UtilityVM`},
	{`C:`, ``, `C:UtilityVM`},
	{`b`, `b`, `b\UtilityVM`},
	{``, ``, `UtilityVM`},
	{`\\server\share`, ``, `\\server\share\UtilityVM`},
	{`\\server\share\layer`, `layer`, `\\server\share\layer\UtilityVM`},
	{`\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\layer`, `layer`, `\\?\Volume{66d1ef4c-7a00-11e6-8948-00155ddbef9d}\layer\UtilityVM`},
	{`\\.\UNC\server\share\x`, `x`, `\\.\UNC\server\share\x\UtilityVM`},
	{`\\?\C:`, ``, `\\?\C:UtilityVM`},
	{`\\server\share\`, ``, `\\server\share\UtilityVM`},
	{`\a\\b`, `b`, `\a\b\UtilityVM`},
	{`//srv/sh/x`, `x`, `\\srv\sh\x\UtilityVM`},
	{`\\?\UNC\srv\sh\..`, `..`, `\\?\UNC\srv\UtilityVM`},
	{`\??\C:\x`, `x`, `\??\C:\x\UtilityVM`},
	{`\??\C:\`, ``, `\??\C:\UtilityVM`},
	{`a/../c:`, `c:`, `.\c:UtilityVM`},
	{`\a\..\??\c:\x`, `x`, `\.\??\c:\x\UtilityVM`},
	{`\\.\UNC`, ``, `\\.\UNC\UtilityVM`},
}

func TestWindowsPathRules(t *testing.T) {
	for _, tc := range winPathCases {
		assert.Check(t, winBase(tc.path) == tc.base, "winBase(%q) = %q, want %q", tc.path, winBase(tc.path), tc.base)
		got := winJoin(tc.path, "UtilityVM")
		assert.Check(t, got == tc.joined, "winJoin(%q) = %q, want %q", tc.path, got, tc.joined)
	}
	assert.Equal(t, winClean(`C:`), `C:.`)
	assert.Equal(t, winClean(`\\server/share`), `\\server\share`)
}
