// Package wined runs moby's dockerd.exe and the docker CLI under Wine with
// the HCS emulator, for the test commands that compare moby's stock daemon
// with the one built with this library: test/dockerd (the scenario suite)
// and test/moby (moby's own integration tests). Every path it is given is a
// Linux path; the prefix is .ci/wine/prefix's.
package wined

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// A Daemon is one dockerd.exe under Wine, with its own pipe, data root and
// log, and the docker CLI that talks to it.
type Daemon struct {
	Name   string // "stock" or "ours": its pipe is docker_NAME
	Exe    string // dockerd.exe's Windows path
	CLI    *CLI
	Root   string // the data root's Windows path
	LogDir string
	Args   []string // more of dockerd's flags
	Env    []string // more of dockerd's environment

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}

	// stats is the streaming `docker stats` StreamStats started, until
	// EndStats; nil otherwise.
	stats *background
}

// background is a docker command that runs until it is ended.
type background struct {
	cancel context.CancelFunc
	ended  chan Result
}

// CLI runs docker.exe under Wine.
type CLI struct {
	Wine   string // the wine binary
	Docker string // docker.exe's Windows path
}

// Result is what one docker command did.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Pair is moby's stock dockerd.exe and the same tree's with the library
// (Linux paths), as daemons "stock" and "ours" with their own data roots,
// the same CLI, log folder, flags and environment.
func Pair(c *CLI, stockExe, oursExe, logDir string, args, env []string) (stock, ours *Daemon) {
	daemon := func(name, exe string) *Daemon {
		return &Daemon{Name: name, Exe: WindowsPath(exe), CLI: c, Root: `C:\docker-` + name, LogDir: logDir, Args: args, Env: env}
	}
	return daemon("stock", stockExe), daemon("ours", oursExe)
}

// WorkDir is dockerd's working directory, where the emulator starts the
// containers' processes too: a folder of the daemon's own, not the
// caller's (a test's `echo x > file` in a container would write into the
// checkout).
func (d *Daemon) WorkDir() string { return filepath.Join(d.LogDir, "cwd-"+d.Name) }

// Pipe is the daemon's named pipe, in docker's -H form.
func (d *Daemon) Pipe() string { return "npipe:////./pipe/docker_" + d.Name }

// Start starts the daemon and waits until it answers (or for its log to
// say why it could not). Each start appends to the daemon's log.
func (d *Daemon) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	logf, err := os.OpenFile(filepath.Join(d.LogDir, "dockerd-"+d.Name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	// Wine reuses process ids: a pid file left by the last run would name
	// a live process.
	_ = os.Remove(filepath.Join(os.Getenv("WINEPREFIX"), "drive_c", d.Name+".pid"))
	// No default network: Wine lacks what the nat network's set-up calls
	// (iphlpapi's SetCurrentThreadCompartmentId).
	args := append([]string{d.Exe, "-b", "none", "-H", d.Pipe(),
		"--data-root", d.Root, "--exec-root", d.Root + `-exec`, "--pidfile", `C:\` + d.Name + ".pid"}, d.Args...)
	cmd := exec.Command(d.CLI.Wine, args...)
	cmd.Env = append(os.Environ(), d.Env...)
	cmd.Dir = d.WorkDir()
	if err := os.MkdirAll(cmd.Dir, 0o755); err != nil {
		logf.Close()
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	d.cmd, d.done = cmd, done
	for {
		r := d.Docker(ctx, "", "version", "--format", "{{.Server.Version}}")
		if r.Code == 0 {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("dockerd (%s) exited as it started; see %s", d.Name, logf.Name())
		case <-ctx.Done():
			return fmt.Errorf("dockerd (%s) did not answer: %w", d.Name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Kill ends the daemon at once, as a crash would: what it ran is left to
// the next start's restore.
func (d *Daemon) Kill() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Kill()
	<-d.done
	d.cmd = nil
}

// StreamStats starts `docker stats` of every container, streaming, until
// EndStats.
func (d *Daemon) StreamStats(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	b := &background{cancel: cancel, ended: make(chan Result, 1)}
	go func() {
		cmd := d.Command(ctx, "stats", "--format", "{{.Name}} {{.MemUsage}}")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		r := Result{Stderr: stderr.String()}
		switch exit, ok := err.(*exec.ExitError); {
		case ctx.Err() != nil:
			// Ended by EndStats: what it is for.
		case ok:
			r.Code = exit.ExitCode()
		case err != nil:
			r.Code, r.Stderr = -1, err.Error()
		default:
			r.Code, r.Stderr = -1, "docker stats ended by itself"
		}
		b.ended <- r
	}()
	d.mu.Lock()
	d.stats = b
	d.mu.Unlock()
}

// EndStats ends the streaming `docker stats` and reports how it went: it
// fails when the stream ended before it was ended.
func (d *Daemon) EndStats() Result {
	d.mu.Lock()
	b := d.stats
	d.stats = nil
	d.mu.Unlock()
	if b == nil {
		return Result{Code: -1, Stderr: "no docker stats streaming"}
	}
	select {
	case r := <-b.ended:
		if r.Code == 0 {
			r.Code = -1
		}
		return r
	default:
	}
	b.cancel()
	return <-b.ended
}

// Docker runs one docker command against the daemon, with stdin.
func (d *Daemon) Docker(ctx context.Context, stdin string, args ...string) Result {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := d.Command(ctx, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if ctx.Err() != nil {
		r.Code, r.Stderr = -1, r.Stderr+"(no answer in 2 minutes)"
	} else if exit, ok := err.(*exec.ExitError); ok {
		r.Code = exit.ExitCode()
	} else if err != nil {
		r.Code, r.Stderr = -1, err.Error()
	}
	return r
}

// Command is docker.exe with args under Wine, talking to the daemon.
func (d *Daemon) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, d.CLI.Wine, append([]string{d.CLI.Docker}, args...)...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.Pipe())
	return cmd
}

// StartWith starts the daemon and loads the image tars into it.
func (d *Daemon) StartWith(ctx context.Context, tars []string) error {
	started := time.Now()
	if err := d.Start(ctx); err != nil {
		return err
	}
	for _, tar := range tars {
		if r := d.Docker(ctx, "", "load", "-i", tar); r.Code != 0 {
			return fmt.Errorf("docker load (%s): %s%s", d.Name, r.Stdout, r.Stderr)
		}
	}
	fmt.Printf("dockerd (%s): started and loaded the test images in %.1fs\n", d.Name, time.Since(started).Seconds())
	return nil
}

// WindowsPath is a Linux path as Wine's drive Z: shows it.
func WindowsPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return "Z:" + strings.ReplaceAll(abs, "/", `\`)
}
