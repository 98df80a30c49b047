package hcsfake

import (
	"strconv"
	"strings"
)

// The fake runs a tiny scripted command set, read from the command line, so
// that tests and the tool see real output and exit codes:
//
//	echo TEXT        prints TEXT and a newline on stdout; with a trailing
//	                 "1>&2" or ">&2", on stderr (stdout for a console)
//	exit N           exits with N ("exit /b N" too)
//	cat, more        copies stdin to stdout until stdin ends
//	anything else    runs until killed or its system stops
//
// Commands are chained with " & " or " && ". A leading "cmd /c" (any case,
// with or without ".exe" and "/s") and the quotes around its command are
// dropped. A script that runs to its end exits with 0.

type stepKind int

const (
	stepEcho stepKind = iota
	stepEchoErr
	stepExit
	stepCat
	stepRun
)

type step struct {
	kind stepKind
	text string
	code int
}

func parseScript(commandLine string) []step {
	line := stripShell(strings.TrimSpace(commandLine))
	var steps []step
	for _, part := range strings.Split(strings.ReplaceAll(line, " && ", " & "), " & ") {
		steps = append(steps, parseStep(strings.TrimSpace(part)))
	}
	return steps
}

func stripShell(line string) string {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return line
	}
	switch strings.ToLower(fields[0]) {
	case "cmd", "cmd.exe":
	default:
		return line
	}
	rest := strings.TrimSpace(line[len(fields[0]):])
	for {
		lower := strings.ToLower(rest)
		switch {
		case strings.HasPrefix(lower, "/s "):
			rest = strings.TrimSpace(rest[3:])
			continue
		case strings.HasPrefix(lower, "/c "):
			rest = strings.TrimSpace(rest[3:])
			if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' {
				rest = rest[1 : len(rest)-1]
			}
			return rest
		}
		// An interactive shell: runs until killed.
		return line
	}
}

func parseStep(s string) step {
	word, rest, _ := strings.Cut(s, " ")
	switch strings.ToLower(word) {
	case "echo":
		for _, redirect := range []string{" 1>&2", " >&2"} {
			if text, ok := strings.CutSuffix(rest, redirect); ok {
				return step{kind: stepEchoErr, text: text}
			}
		}
		return step{kind: stepEcho, text: rest}
	case "exit":
		arg := strings.TrimSpace(rest)
		if a, ok := strings.CutPrefix(strings.ToLower(arg), "/b "); ok {
			arg = strings.TrimSpace(a)
		}
		code, err := strconv.Atoi(arg)
		if err != nil {
			code = 0
		}
		return step{kind: stepExit, code: code}
	case "cat", "more":
		return step{kind: stepCat}
	}
	return step{kind: stepRun}
}

// imageName is what the process list calls the process: the file name of
// the command line's first word.
func imageName(commandLine string) string {
	fields := strings.Fields(commandLine)
	if len(fields) == 0 {
		return ""
	}
	name := strings.Trim(fields[0], `"`)
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:]
	}
	return name
}
