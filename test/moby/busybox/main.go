// Command busybox is the stand-in for the busybox image moby's Windows
// integration tests run, for the HCS emulator, which runs a container's
// processes as the Wine prefix's own programs: one Go program that acts as
// the command it is named as (sh.exe, sleep.exe, ...), as busybox does.
//
// It has what moby's tests ask of busybox on Windows: sh (mvdan.cc/sh's
// interpreter, which runs the other commands through PATH), sleep, echo,
// cat, top, env, hostname, true and false; and ping, which sends nothing:
// the harness lets no test reach beyond this machine, so a ping of a
// loopback address answers at once and any other fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// commands are the names the program answers to.
var commands = map[string]func(args []string) int{
	"sh":       sh,
	"sleep":    sleep,
	"echo":     echo,
	"cat":      cat,
	"top":      top,
	"env":      env,
	"hostname": hostname,
	"true":     func([]string) int { return 0 },
	"false":    func([]string) int { return 1 },
	"ping":     ping,
}

func main() {
	name := strings.TrimSuffix(strings.ToLower(filepath.Base(os.Args[0])), ".exe")
	args := os.Args[1:]
	if name == "busybox" && len(args) > 0 {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "busybox stand-in: %s: applet not found (have %s)\n", name, strings.Join(names, " "))
		os.Exit(127)
	}
	os.Exit(cmd(args))
}

// sh runs a script given with -c, a script file, or stdin.
func sh(args []string) int {
	var src io.Reader = os.Stdin
	name := "sh"
	params := []string{}
	switch {
	case len(args) >= 2 && args[0] == "-c":
		src, params = strings.NewReader(args[1]), args[2:]
	case len(args) >= 1:
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Fprintln(os.Stderr, "sh:", err)
			return 127
		}
		defer f.Close()
		src, name, params = f, args[0], args[1:]
	}
	file, err := syntax.NewParser().Parse(src, name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sh:", err)
		return 2
	}
	r, err := interp.New(
		interp.StdIO(os.Stdin, os.Stdout, os.Stderr),
		interp.Env(expand.ListEnviron(os.Environ()...)),
		interp.Params(append([]string{"--"}, params...)...),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sh:", err)
		return 2
	}
	err = r.Run(context.Background(), file)
	var status interp.ExitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &status):
		return int(status)
	default:
		fmt.Fprintln(os.Stderr, "sh:", err)
		return 1
	}
}

// sleep sleeps for the sum of its arguments, in seconds (with busybox's
// s, m, h and d suffixes), or for ever for "inf".
func sleep(args []string) int {
	var total time.Duration
	for _, a := range args {
		if a == "inf" || a == "infinity" {
			select {}
		}
		unit := time.Second
		switch {
		case strings.HasSuffix(a, "s"):
			a = strings.TrimSuffix(a, "s")
		case strings.HasSuffix(a, "m"):
			a, unit = strings.TrimSuffix(a, "m"), time.Minute
		case strings.HasSuffix(a, "h"):
			a, unit = strings.TrimSuffix(a, "h"), time.Hour
		case strings.HasSuffix(a, "d"):
			a, unit = strings.TrimSuffix(a, "d"), 24*time.Hour
		}
		n, err := strconv.ParseFloat(a, 64)
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "sleep: invalid number '%s'\n", a)
			return 1
		}
		total += time.Duration(n * float64(unit))
	}
	time.Sleep(total)
	return 0
}

// echo prints its arguments; -n leaves out the newline, -e is accepted.
func echo(args []string) int {
	newline := true
	for len(args) > 0 && (args[0] == "-n" || args[0] == "-e" || args[0] == "-E") {
		newline = newline && args[0] != "-n"
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if newline {
		s += "\n"
	}
	_, err := io.WriteString(os.Stdout, s)
	return status(err)
}

// cat copies its files, or stdin ("-" or none), to stdout.
func cat(args []string) int {
	if len(args) == 0 {
		args = []string{"-"}
	}
	code := 0
	for _, name := range args {
		if name == "-" {
			if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
				code = 1
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cat:", err)
			code = 1
			continue
		}
		_, err = io.Copy(os.Stdout, f)
		f.Close()
		if err != nil {
			code = 1
		}
	}
	return code
}

// top prints a process table of itself every few seconds until it is
// ended, as tests use it: a process that runs until stopped.
func top([]string) int {
	for {
		fmt.Printf("Mem: used\n  PID  PPID USER     STAT   VSZ %%VSZ CPU %%CPU COMMAND\n%5d %5d root     R     1000   0%%   0   0%% top\n", os.Getpid(), os.Getppid())
		time.Sleep(3 * time.Second)
	}
}

// env prints the environment, or runs a command with more of it.
func env(args []string) int {
	vars := os.Environ()
	for len(args) > 0 && strings.Contains(args[0], "=") {
		vars = append(vars, args[0])
		args = args[1:]
	}
	if len(args) == 0 {
		for _, v := range vars {
			fmt.Println(v)
		}
		return 0
	}
	r, err := interp.New(interp.Env(expand.ListEnviron(vars...)), interp.StdIO(os.Stdin, os.Stdout, os.Stderr))
	if err == nil {
		err = r.Run(context.Background(), &syntax.File{Stmts: []*syntax.Stmt{call(args)}})
	}
	var st interp.ExitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	return status(err)
}

// call is the statement that runs args as one command.
func call(args []string) *syntax.Stmt {
	c := &syntax.CallExpr{}
	for _, a := range args {
		c.Args = append(c.Args, &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Value: a}}})
	}
	return &syntax.Stmt{Cmd: c}
}

// hostname prints the machine's name.
func hostname([]string) int {
	name, err := os.Hostname()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostname:", err)
		return 1
	}
	fmt.Println(name)
	return 0
}

// ping sends nothing: a loopback address answers at once, as if it had
// replied; any other is unreachable.
func ping(args []string) int {
	host := ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c" || a == "-n" || a == "-w" || a == "-W" || a == "-i" || a == "-s":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			host = a
		}
	}
	if host == "" {
		fmt.Fprintln(os.Stderr, "ping: no host")
		return 2
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		fmt.Printf("PING %s (%s): 56 data bytes\n64 bytes from %s: seq=0 ttl=64 time=0.01 ms\n", host, host, host)
		return 0
	}
	fmt.Fprintf(os.Stderr, "ping: %s: not reachable (the test harness sends nothing beyond this machine)\n", host)
	return 1
}

func status(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
