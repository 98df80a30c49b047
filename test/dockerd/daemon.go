package main

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

// A daemon is one dockerd.exe under Wine, with its own pipe, data root and
// log, and the docker CLI that talks to it.
type daemon struct {
	name   string // "stock" or "ours"
	exe    string
	cli    *cli
	root   string // the data root's Windows path
	logDir string
	args   []string // more of dockerd's flags

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}

	// stats is the streaming `docker stats` statsStream started, until
	// statsStreamEnd; nil otherwise.
	stats *background
}

// background is a docker command that runs until it is ended.
type background struct {
	cancel context.CancelFunc
	ended  chan result
}

// cli runs docker.exe under Wine.
type cli struct {
	wine, docker string
}

// result is what one docker command did.
type result struct {
	Stdout, Stderr string
	Code           int
}

// pipe is the daemon's named pipe, in docker's -H form.
func (d *daemon) pipe() string { return "npipe:////./pipe/docker_" + d.name }

// start starts the daemon and waits until it answers (or for its log to
// say why it could not). Each start appends to the daemon's log.
func (d *daemon) start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	logf, err := os.OpenFile(filepath.Join(d.logDir, "dockerd-"+d.name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	// Wine reuses process ids: a pid file left by the last run would name
	// a live process.
	_ = os.Remove(filepath.Join(os.Getenv("WINEPREFIX"), "drive_c", d.name+".pid"))
	// No default network: Wine lacks what the nat network's set-up calls
	// (iphlpapi's SetCurrentThreadCompartmentId).
	args := append([]string{d.exe, "-b", "none", "-H", d.pipe(),
		"--data-root", d.root, "--exec-root", d.root + `-exec`, "--pidfile", `C:\` + d.name + ".pid"}, d.args...)
	cmd := exec.Command(d.cli.wine, args...)
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
		r := d.docker(ctx, "", "version", "--format", "{{.Server.Version}}")
		if r.Code == 0 {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("dockerd (%s) exited as it started; see %s", d.name, logf.Name())
		case <-ctx.Done():
			return fmt.Errorf("dockerd (%s) did not answer: %w", d.name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// kill ends the daemon at once, as a crash would: what it ran is left to
// the next start's restore.
func (d *daemon) kill() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Kill()
	<-d.done
	d.cmd = nil
}

// streamStats starts `docker stats` of every container, streaming, until
// endStats.
func (d *daemon) streamStats(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	b := &background{cancel: cancel, ended: make(chan result, 1)}
	go func() {
		cmd := d.command(ctx, "stats", "--format", "{{.Name}} {{.MemUsage}}")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		r := result{Stderr: stderr.String()}
		switch exit, ok := err.(*exec.ExitError); {
		case ctx.Err() != nil:
			// Ended by endStats: what it is for.
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

// endStats ends the streaming `docker stats` and reports how it went: it
// fails when the stream ended before it was ended.
func (d *daemon) endStats() result {
	d.mu.Lock()
	b := d.stats
	d.stats = nil
	d.mu.Unlock()
	if b == nil {
		return result{Code: -1, Stderr: "no docker stats streaming"}
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

// docker runs one docker command against the daemon, with stdin.
func (d *daemon) docker(ctx context.Context, stdin string, args ...string) result {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := d.command(ctx, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{Stdout: stdout.String(), Stderr: stderr.String()}
	if ctx.Err() != nil {
		r.Code, r.Stderr = -1, r.Stderr+"(no answer in 2 minutes)"
	} else if exit, ok := err.(*exec.ExitError); ok {
		r.Code = exit.ExitCode()
	} else if err != nil {
		r.Code, r.Stderr = -1, err.Error()
	}
	return r
}

// command is docker.exe with args under Wine, talking to the daemon.
func (d *daemon) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, d.cli.wine, append([]string{d.cli.docker}, args...)...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.pipe())
	return cmd
}
