package local

import (
	"path"
	"strings"
)

// Paths in a spec are Windows paths whatever OS the backend runs on, so they
// are split and joined by Windows rules here rather than by path/filepath,
// which follows the host's. The rules are those of Go's path/filepath on
// Windows.

func isWinSeparator(c byte) bool { return c == '\\' || c == '/' }

// winVolumeLen is the length of p's volume: a drive ("C:"), a UNC share
// (`\\host\share`), or a device path (`\\?\Volume{...}`, `\\.\pipe`).
func winVolumeLen(p string) int {
	switch {
	case len(p) >= 2 && p[1] == ':':
		return 2
	case len(p) < 2 || !isWinSeparator(p[0]) || !isWinSeparator(p[1]):
		return 0
	case len(p) >= 4 && (p[2] == '.' || p[2] == '?') && isWinSeparator(p[3]):
		if len(p) >= 8 && strings.EqualFold(p[4:7], "UNC") && isWinSeparator(p[7]) {
			return winUNCLen(p, 8)
		}
		// The component after the device prefix belongs to the volume.
		if i := strings.IndexAny(p[4:], `\/`); i >= 0 {
			return 4 + i
		}
		return len(p)
	default:
		return winUNCLen(p, 2)
	}
}

// winUNCLen is the length of a UNC volume whose host starts at offset start:
// up to, not including, the separator after the share.
func winUNCLen(p string, start int) int {
	separators := 0
	for i := start; i < len(p); i++ {
		if isWinSeparator(p[i]) {
			separators++
			if separators == 2 {
				return i
			}
		}
	}
	return len(p)
}

// winBase is the last element of p as filepath.Split returns it on Windows:
// `C:\a\b` gives "b", and a path ending in a separator gives "".
func winBase(p string) string {
	vol := winVolumeLen(p)
	i := len(p) - 1
	for i >= vol && !isWinSeparator(p[i]) {
		i--
	}
	return p[i+1:]
}

// winJoin joins elem to dir and cleans the result, as filepath.Join does on
// Windows: with a backslash, unless dir is empty, ends in a separator, or
// ends in a colon (`C:` + `f` is the drive-relative `C:f`).
func winJoin(dir, elem string) string {
	if dir == "" || isWinSeparator(dir[len(dir)-1]) || dir[len(dir)-1] == ':' {
		return winClean(dir + elem)
	}
	return winClean(dir + `\` + elem)
}

// winClean is filepath.Clean by Windows rules: backslashes, no "." or ".."
// elements that can be resolved, no repeated or trailing separators.
func winClean(p string) string {
	vol := winVolumeLen(p)
	rest := strings.ReplaceAll(p[vol:], `\`, "/")
	if rest == "" {
		if vol > 1 && isWinSeparator(p[0]) && isWinSeparator(p[1]) {
			return strings.ReplaceAll(p, "/", `\`) // a UNC or device volume alone
		}
		return p + "."
	}
	return p[:vol] + strings.ReplaceAll(path.Clean(rest), "/", `\`)
}
