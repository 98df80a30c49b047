package core

import (
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
)

// On Windows the portable rules must agree with path/filepath.
func TestWindowsPathRulesMatchFilepath(t *testing.T) {
	for _, tc := range winPathCases {
		assertSameAsFilepath(t, tc.path)
	}
}

// The differential test: random paths built from every shape Windows
// paths take, answered alike by the portable rules and by path/filepath.
func TestWindowsPathRulesDifferential(t *testing.T) {
	const paths = 200_000
	r := rand.New(rand.NewSource(1))
	differences := 0
	for i := 0; i < paths; i++ {
		if !assertSameAsFilepath(t, randomWinPath(r)) {
			differences++
			if differences > 20 {
				t.Fatal("too many differences")
			}
		}
	}
	t.Logf("ci: Windows path rules against path/filepath: %d random paths compared, %d differences", paths, differences)
}

func assertSameAsFilepath(t *testing.T, p string) bool {
	t.Helper()
	_, base := filepath.Split(p)
	return assert.Check(t, winBase(p) == base, "Split(%q): ours %q, filepath %q", p, winBase(p), base) &&
		assert.Check(t, winJoin(p, "UtilityVM") == filepath.Join(p, "UtilityVM"), "Join(%q): ours %q, filepath %q", p, winJoin(p, "UtilityVM"), filepath.Join(p, "UtilityVM")) &&
		assert.Check(t, winClean(p) == filepath.Clean(p), "Clean(%q): ours %q, filepath %q", p, winClean(p), filepath.Clean(p)) &&
		assert.Check(t, winVolumeLen(p) == len(filepath.VolumeName(p)), "VolumeName(%q): ours %q, filepath %q", p, p[:winVolumeLen(p)], filepath.VolumeName(p))
}

// randomWinPath is a prefix (a drive, a UNC share, a device path, a root,
// or none) followed by elements and separators of every kind.
func randomWinPath(r *rand.Rand) string {
	pick := func(list ...string) string { return list[r.Intn(len(list))] }
	var b strings.Builder
	b.WriteString(pick("", "", `C:`, `c:`, `z:`, `1:`, `C:\`, `C:/`,
		`\\`, `//`, `\/`, `\\srv\sh`, `//srv/sh`, `\\srv`, `\\srv\`,
		`\\?\`, `//?/`, `\\?`, `\\?\UNC\`, `\\?\unc\srv\sh`, `\\.\`, `\\.`, `//./`, `\\.\UNC\`, `\\.\unc\srv\sh`, `\\.\UNC`,
		`\??\`, `/??/`, `\??`, `\??\C:\`, `\`, `/`, `.\`, `..\`))
	for n := r.Intn(6); n > 0; n-- {
		b.WriteString(pick("a", "layer", "srv", "sh", "UNC", "unc", ".", "..", "...", "C:", "c:x", "a:b", ":", "??", "?", ".?", "Volume{66d1ef4c}", "x y", ""))
		b.WriteString(pick(`\`, `/`, `\\`, `//`, `\/`, "", ""))
	}
	return b.String()
}
