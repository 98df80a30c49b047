package core

import "strings"

// Paths in a spec are Windows paths whatever OS the backend runs on, so they
// are split and joined here by the rules of Go's path/filepath on Windows
// (the Go moby builds with, 1.21.10, and every later release agree), rather
// than by path/filepath, which follows the host's. moby splits a layer
// folder with filepath.Split and joins "UtilityVM" to one with
// filepath.Join; winBase and winJoin answer exactly what those answer on
// Windows, which a test built for Windows checks on random paths.

func isWinSeparator(c byte) bool { return c == '\\' || c == '/' }

// winVolumeLen is the length of the volume at the start of p:
//   - a drive, "C:" (any byte before the colon counts as the letter);
//   - a local device path, `\\.\` or a root local device path, `\\?\` or
//     `\??\`, with the component after the prefix (`\\?\Volume{...}`,
//     `\\.\pipe`, `\\?\UNC`); `\\.\UNC\host\share` keeps host and share;
//   - a UNC share, `\\host\share`;
//
// either slash serving as a separator, and the prefixes matched without
// regard to case.
func winVolumeLen(p string) int {
	switch {
	case len(p) >= 2 && p[1] == ':':
		return 2
	case p == "" || !isWinSeparator(p[0]):
		return 0
	case hasWinPrefixFold(p, `\\.\UNC`):
		return winUNCLen(p, len(`\\.\UNC\`))
	case hasWinPrefixFold(p, `\\.`) || hasWinPrefixFold(p, `\\?`) || hasWinPrefixFold(p, `\??`):
		if len(p) == 3 {
			return 3
		}
		if i := strings.IndexAny(p[4:], `\/`); i >= 0 {
			return 4 + i
		}
		return len(p)
	case len(p) >= 2 && isWinSeparator(p[1]):
		return winUNCLen(p, 2)
	}
	return 0
}

// hasWinPrefixFold reports whether p starts with prefix, ignoring case and
// taking any separator for any other, and whatever follows the prefix in p
// starts with a separator.
func hasWinPrefixFold(p, prefix string) bool {
	if len(p) < len(prefix) || (len(p) > len(prefix) && !isWinSeparator(p[len(prefix)])) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if isWinSeparator(prefix[i]) {
			if !isWinSeparator(p[i]) {
				return false
			}
		} else if !strings.EqualFold(p[i:i+1], prefix[i:i+1]) {
			return false
		}
	}
	return true
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

// winBase is the file part of filepath.Split(p) on Windows: what follows
// the last separator after the volume, so `C:\a\b` gives "b" and a path
// ending in a separator gives "".
func winBase(p string) string {
	vol := winVolumeLen(p)
	i := len(p) - 1
	for i >= vol && !isWinSeparator(p[i]) {
		i--
	}
	return p[i+1:]
}

// winJoin is filepath.Join(dir, elem) on Windows for an elem that is a
// plain name: the two joined with a backslash, unless dir is empty, ends in
// a separator, or ends in a colon (`C:` and `f` give the drive-relative
// `C:f`), then cleaned.
func winJoin(dir, elem string) string {
	if dir == "" || isWinSeparator(dir[len(dir)-1]) || dir[len(dir)-1] == ':' {
		return winClean(dir + elem)
	}
	return winClean(dir + `\` + elem)
}

// winClean is filepath.Clean on Windows: after the volume, empty and "."
// elements go, ".." removes the element before it (or stays, at the start
// of a relative path), separators become single backslashes, in the volume
// too. A relative result that was rewritten is kept from reading as a
// volume: `.\` goes before a first element with a colon, `\.` before a
// leading `\??`.
func winClean(p string) string {
	vol := winVolumeLen(p)
	rest := p[vol:]
	if rest == "" {
		if vol > 1 && isWinSeparator(p[0]) && isWinSeparator(p[1]) {
			return strings.ReplaceAll(p, "/", `\`) // a UNC or device volume alone
		}
		return p + "."
	}
	out := cleanBuf{in: rest}
	rooted := isWinSeparator(rest[0])
	r, floor := 0, 0 // floor: where ".." stops backtracking
	if rooted {
		out.put('\\')
		r, floor = 1, 1
	}
	for r < len(rest) {
		end := r
		for end < len(rest) && !isWinSeparator(rest[end]) {
			end++
		}
		switch elem := rest[r:end]; elem {
		case "", ".":
		case "..":
			switch {
			case out.n > floor:
				out.n--
				for out.n > floor && !isWinSeparator(out.at(out.n)) {
					out.n--
				}
			case !rooted:
				if out.n > 0 {
					out.put('\\')
				}
				out.put('.')
				out.put('.')
				floor = out.n
			}
		default:
			if out.n > 0 && !(rooted && out.n == 1) {
				out.put('\\')
			}
			for i := 0; i < len(elem); i++ {
				out.put(elem[i])
			}
		}
		r = end
		if r < len(rest) {
			r++ // the separator
		}
	}
	if out.n == 0 {
		out.put('.')
	}
	cleaned := out.String()
	if vol == 0 && out.buf != nil {
		cleaned = out.keepRelative(cleaned)
	}
	return strings.ReplaceAll(p[:vol]+cleaned, "/", `\`)
}

// cleanBuf is winClean's output. It reads the input until the output first
// differs from it, then writes into buf, as long as the input: whether it
// differed (buf != nil) and what buf holds past the output's end both
// decide keepRelative's answer, as in Go's own.
type cleanBuf struct {
	in  string
	buf []byte
	n   int
}

func (b *cleanBuf) at(i int) byte {
	if b.buf != nil {
		return b.buf[i]
	}
	return b.in[i]
}

func (b *cleanBuf) put(c byte) {
	if b.buf == nil {
		if b.n < len(b.in) && b.in[b.n] == c {
			b.n++
			return
		}
		b.buf = make([]byte, len(b.in))
		copy(b.buf, b.in[:b.n])
	}
	b.buf[b.n] = c
	b.n++
}

func (b *cleanBuf) String() string {
	if b.buf == nil {
		return b.in[:b.n]
	}
	return string(b.buf[:b.n])
}

// keepRelative keeps a rewritten relative path from reading as a volume:
// `a/../c:` must not become the drive `c:`, nor `\a\..\??\c:` the device
// path `\??\c:`. Like Go's, it looks at the whole buffer for the colon,
// up to the first separator.
func (b *cleanBuf) keepRelative(cleaned string) string {
	for _, c := range b.buf {
		if isWinSeparator(c) {
			break
		}
		if c == ':' {
			return `.\` + cleaned
		}
	}
	if len(b.buf) >= 3 && isWinSeparator(b.buf[0]) && b.buf[1] == '?' && b.buf[2] == '?' {
		return `\.` + cleaned
	}
	return cleaned
}
