package core

import "strings"

// escapeArgs builds a Windows command line from args the way moby does
// (pkg/system.EscapeArgs): each argument escaped as Windows' EscapeArg does,
// joined by spaces. Implemented here so that the result is the same on every
// OS.
func escapeArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		appendEscapedArg(&b, a)
	}
	return b.String()
}

// appendEscapedArg writes s so that CommandLineToArgvW reads it back as one
// argument: an empty argument becomes "", an argument with a space or a tab
// is quoted, a double quote is preceded by a backslash, and backslashes are
// doubled where they come right before a quote (an escaped one, or the
// closing one). Other backslashes stay as they are.
func appendEscapedArg(b *strings.Builder, s string) {
	if s == "" {
		b.WriteString(`""`)
		return
	}
	quote := strings.ContainsAny(s, " \t")
	if !quote && !strings.ContainsAny(s, `"\`) {
		b.WriteString(s)
		return
	}
	if quote {
		b.WriteByte('"')
	}
	backslashes := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			backslashes++
		case '"':
			// Double the run of backslashes before the quote, then
			// escape the quote itself.
			b.WriteString(strings.Repeat(`\`, backslashes+1))
			backslashes = 0
		default:
			backslashes = 0
		}
		b.WriteByte(s[i])
	}
	if quote {
		// The closing quote must not be escaped by a trailing run.
		b.WriteString(strings.Repeat(`\`, backslashes))
		b.WriteByte('"')
	}
}
