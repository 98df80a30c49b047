package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

const (
	image      = "lcw/base:test" // process isolation
	hypervImg  = "lcw/uvm:test"  // with a utility VM
	graceful   = "3221225786"    // 0xC000013A, a stopped container's exit code
	restartMax = 2
)

// A scenario is what an operator does with the docker CLI, step by step;
// every daemon runs it from the same start, and its steps' results are
// compared between them.
type scenario struct {
	name  string
	steps []step
}

// A step is one docker command (or an action on the daemon, run) and what
// it must show on every daemon, want, so that two daemons failing alike do
// not pass as identical.
type step struct {
	args  []string
	stdin string
	run   func(ctx context.Context, d *daemon) result
	want  func(result) error
	// view, when set, is what of the output is compared (after
	// normalize): of `docker top`, the process names, not their ids.
	view func(string) string
}

func (s step) String() string {
	if s.run != nil {
		return s.args[0]
	}
	return "docker " + strings.Join(s.args, " ")
}

func docker(args ...string) step { return step{args: args} }

func (s step) input(stdin string) step { s.stdin = stdin; return s }

func (s step) viewed(view func(string) string) step { s.view = view; return s }

func (s step) exits(code int) step {
	s.want = and(s.want, func(r result) error {
		if r.Code != code {
			return fmt.Errorf("exit code %d, want %d", r.Code, code)
		}
		return nil
	})
	return s
}

func (s step) prints(text string) step {
	s.want = and(s.want, func(r result) error {
		if !strings.Contains(r.Stdout, text) {
			return fmt.Errorf("stdout %q does not have %q", r.Stdout, text)
		}
		return nil
	})
	return s
}

func (s step) fails(text string) step {
	s.want = and(s.want, func(r result) error {
		if r.Code == 0 || !strings.Contains(r.Stderr, text) {
			return fmt.Errorf("exit code %d, stderr %q, want a failure with %q", r.Code, r.Stderr, text)
		}
		return nil
	})
	return s
}

func and(a, b func(result) error) func(result) error {
	if a == nil {
		return b
	}
	return func(r result) error {
		if err := a(r); err != nil {
			return err
		}
		return b(r)
	}
}

// state is the container's State as docker inspect shows it.
func state(name string) step {
	return docker("inspect", "-f", "{{json .State}}", name).exits(0)
}

// status is a line of what docker inspect says of the container's life.
func status(name string) step {
	return docker(statusArgs(name)...).exits(0)
}

// statusArgs are docker's arguments for a line of the container's status,
// exit code and restart count.
func statusArgs(name string) []string {
	return []string{"inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", name}
}

// daemonRestart ends the daemon at once and starts it again.
func daemonRestart() step {
	return step{args: []string{"dockerd killed and started again"}, run: func(ctx context.Context, d *daemon) result {
		d.Kill()
		if err := d.Start(ctx); err != nil {
			return result{Code: -1, Stderr: err.Error()}
		}
		return result{}
	}}
}

// settled waits until the container stopped restarting after its restart
// policy's tries, and prints its status.
func settled(name string, restarts int) step {
	return step{args: []string{"until " + name + " exited after its restarts"}, run: func(ctx context.Context, d *daemon) result {
		want := fmt.Sprintf("exited 1 %d\n", restarts)
		for {
			r := d.Docker(ctx, "", statusArgs(name)...)
			if r.Code != 0 || r.Stdout == want {
				return r
			}
			select {
			case <-ctx.Done():
				return result{Code: -1, Stdout: r.Stdout, Stderr: "still " + r.Stdout}
			case <-time.After(250 * time.Millisecond):
			}
		}
	}}
}

// statsStream starts `docker stats` of every container, streaming as a
// monitoring agent's does, until statsStreamEnd: meanwhile dockerd polls
// the Stats of every running container, every second or so.
func statsStream() step {
	return step{args: []string{"docker stats, streaming, started"}, run: func(ctx context.Context, d *daemon) result {
		d.StreamStats(ctx)
		return result{}
	}}
}

// statsStreamEnd ends the stream statsStream started; it fails when the
// stream ended before.
func statsStreamEnd() step {
	return step{args: []string{"docker stats, streaming, ended"}, run: func(_ context.Context, d *daemon) result {
		return d.EndStats()
	}}
}

// atOnce runs n `docker run --rm` at once, each printing its number, and
// prints their outputs in order.
func atOnce(n int) step {
	return step{args: []string{fmt.Sprintf("%d docker run --rm at once", n)}, run: func(ctx context.Context, d *daemon) result {
		results := make([]result, n)
		concurrently(n, func(i int) {
			results[i] = d.Docker(ctx, "", "run", "--rm", image, "cmd", "/c", fmt.Sprintf("echo run %d", i))
		})
		var all result
		for i, r := range results {
			all.Stdout += fmt.Sprintf("%d: exit %d %s", i, r.Code, r.Stdout)
			all.Stderr += r.Stderr
			if r.Code != 0 {
				all.Code = r.Code
			}
		}
		return all
	}}
}

// concurrently runs f(0) to f(n-1) at once and returns when all returned.
func concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f(i)
		}(i)
	}
	wg.Wait()
}

var topLine = regexp.MustCompile(`(?m)^(\S+)\s.*$`)

// processNames keeps the first column of docker top: ids and times differ
// from run to run.
func processNames(s string) string { return topLine.ReplaceAllString(s, "$1") }

func scenarios() []scenario {
	return []scenario{
		{"run --rm with output", []step{
			docker("run", "--rm", image, "cmd", "/c", "echo hi").exits(0).prints("hi"),
		}},
		{"exit codes", []step{
			docker("run", "--rm", image, "cmd", "/c", "exit 7").exits(7),
			docker("run", "--rm", image, "cmd", "/c", "exit 0").exits(0),
			docker("run", "--rm", image, "cmd", "/c", "exit 255").exits(255),
		}},
		{"-i: stdin", []step{
			docker("run", "-i", "--rm", image, "cmd").input("echo from stdin\r\n").exits(0).prints("from stdin"),
		}},
		{"-t: a terminal", []step{
			docker("run", "-t", "--rm", image, "cmd", "/c", "echo on a tty").exits(0).prints("on a tty"),
		}},
		{"run -d, then exec, top, stats, logs", []step{
			docker("run", "-d", "-i", "--name", "detached", image, "cmd").exits(0),
			docker("exec", "detached", "cmd", "/c", "echo from exec").exits(0).prints("from exec"),
			docker("exec", "detached", "cmd", "/c", "exit 4").exits(4),
			docker("exec", "-i", "detached", "cmd").input("echo exec stdin\r\n").exits(0).prints("exec stdin"),
			docker("top", "detached").exits(0).prints("cmd").viewed(processNames),
			docker("stats", "--no-stream", "--format", "{{.Name}} {{.Container}}", "detached").exits(0).prints("detached"),
			docker("logs", "detached").exits(0),
			state("detached"),
			docker("rm", "-f", "detached").exits(0),
		}},
		{"stop (graceful) and kill", []step{
			docker("run", "-d", "-i", "--name", "stopped", image, "cmd").exits(0),
			docker("stop", "stopped").exits(0),
			status("stopped").prints("exited " + graceful),
			state("stopped"),
			docker("run", "-d", "-i", "--name", "killed", image, "cmd").exits(0),
			docker("kill", "killed").exits(0),
			docker("wait", "killed").exits(0),
			status("killed"),
			docker("rm", "stopped", "killed").exits(0),
		}},
		{"start again after an exit", []step{
			docker("run", "--name", "again", image, "cmd", "/c", "echo once").exits(0).prints("once"),
			docker("start", "-a", "again").exits(0).prints("once"),
			docker("start", "again").exits(0),
			docker("wait", "again").exits(0).prints("0"),
			state("again"),
			docker("rm", "again").exits(0),
		}},
		{"wait", []step{
			docker("run", "-d", "--name", "waited", image, "cmd", "/c", "exit 5").exits(0),
			docker("wait", "waited").exits(0).prints("5"),
			status("waited").prints("exited 5"),
			docker("rm", "waited").exits(0),
		}},
		{"restart policy on-failure:2", []step{
			docker("run", "-d", "--restart", fmt.Sprintf("on-failure:%d", restartMax), "--name", "restarted", image, "cmd", "/c", "exit 1").exits(0),
			settled("restarted", restartMax),
			status("restarted").prints(fmt.Sprintf("exited 1 %d", restartMax)),
			docker("rm", "restarted").exits(0),
		}},
		// An engine re-creates a container under its id whenever it
		// restarts it, while a monitoring agent polls every container's
		// stats: a stats call still in HCS when the old container goes
		// must not keep the new one from starting.
		{"restart while docker stats streams", []step{
			docker("run", "-d", "-i", "--name", "polled", image, "cmd").exits(0),
			statsStream(),
			docker("restart", "-t", "0", "polled").exits(0),
			docker("restart", "polled").exits(0),
			docker("stop", "polled").exits(0),
			docker("start", "polled").exits(0),
			status("polled").prints("running"),
			docker("run", "-d", "--restart", fmt.Sprintf("on-failure:%d", restartMax), "--name", "polled-restarts", image, "cmd", "/c", "exit 1").exits(0),
			settled("polled-restarts", restartMax),
			statsStreamEnd().exits(0),
			docker("rm", "-f", "polled", "polled-restarts").exits(0),
		}},
		{"rm -f of a running container", []step{
			docker("run", "-d", "-i", "--name", "removed", image, "cmd").exits(0),
			docker("rm", "-f", "removed").exits(0),
			docker("ps", "-a", "-q", "--filter", "name=removed").exits(0),
			docker("inspect", "removed").fails("No such object"),
		}},
		{"Hyper-V: run, pause, unpause", []step{
			docker("run", "--rm", "--isolation", "hyperv", hypervImg, "cmd", "/c", "echo in a utility VM").exits(0).prints("in a utility VM"),
			docker("run", "-d", "-i", "--isolation", "hyperv", "--name", "vm", hypervImg, "cmd").exits(0),
			docker("pause", "vm").exits(0),
			status("vm").prints("paused"),
			docker("unpause", "vm").exits(0),
			docker("exec", "vm", "cmd", "/c", "echo after unpause").exits(0).prints("after unpause"),
			docker("rm", "-f", "vm").exits(0),
		}},
		{"process isolation: pause is refused", []step{
			docker("run", "-d", "-i", "--name", "unpausable", image, "cmd").exits(0),
			docker("pause", "unpausable").fails("Error response from daemon"),
			status("unpausable").prints("running"),
			docker("rm", "-f", "unpausable").exits(0),
		}},
		{"20 run --rm at once", []step{
			atOnce(20).exits(0),
		}},
		{"daemon restart with containers left", []step{
			docker("run", "-d", "-i", "--name", "left-running", image, "cmd").exits(0),
			docker("run", "--name", "left-exited", image, "cmd", "/c", "exit 2").exits(2),
			// moby answers docker run's wait before it saves the exit (both
			// under the container's lock, which inspect takes): without this
			// step a crash right after the run can lose the exit code.
			status("left-exited").prints("exited 2"),
			daemonRestart().exits(0),
			status("left-running").prints("exited"),
			status("left-exited").prints("exited 2"),
			docker("start", "-a", "left-exited").exits(2),
			docker("start", "left-running").exits(0),
			status("left-running").prints("running"),
			docker("rm", "-f", "left-running", "left-exited").exits(0),
			docker("ps", "-a", "-q").exits(0),
		}},
	}
}

// play runs the scenario's steps on d, in order.
func play(ctx context.Context, d *daemon, sc scenario) []result {
	results := make([]result, len(sc.steps))
	for i, s := range sc.steps {
		if s.run != nil {
			results[i] = s.run(ctx, d)
		} else {
			results[i] = d.Docker(ctx, s.stdin, s.args...)
		}
	}
	return results
}
