package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// waitDelay bounds how long Wait waits for output pipes after the process
// group was killed: a grandchild that escaped the group must not hang a build.
const waitDelay = 2 * time.Second

// command is one process a build runs.
type command struct {
	Dir  string
	Env  []string // the whole environment; nil inherits ours
	Path string
	Args []string
}

// procResult is what a finished process left behind.
type procResult struct {
	Stdout, Stderr []byte
	ExitCode       int // -1 when it did not exit normally
	Elapsed        time.Duration
}

// runner runs a build's processes. In verbose mode (V=1) it prints each
// command before running it and copies the tools' output as it arrives.
type runner struct {
	verbose bool
	stdout  io.Writer
	stderr  io.Writer
	mu      sync.Mutex // serialises writes to stdout and stderr: processes may run concurrently
}

// lockedWriter lets concurrent processes share one of the runner's writers.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// run starts c in its own process group and waits for it. Cancelling ctx
// kills the whole group (make's compilers, cargo's rustc), so nothing
// outlives the build. A non-zero exit is not an error: the caller turns the
// output into findings. The error is for a process that could not start or
// was cancelled.
func (r *runner) run(ctx context.Context, c command) (procResult, error) {
	if err := ctx.Err(); err != nil {
		return procResult{ExitCode: -1}, err
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// A negative pid addresses the process group.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = waitDelay
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if r.verbose {
		if r.stdout != nil {
			out := lockedWriter{&r.mu, r.stdout}
			fmt.Fprintln(out, shellLine(c))
			cmd.Stdout = io.MultiWriter(&stdout, out)
		}
		if r.stderr != nil {
			cmd.Stderr = io.MultiWriter(&stderr, lockedWriter{&r.mu, r.stderr})
		}
	}
	err := cmd.Run()
	if cmd.Process != nil {
		// Whatever the group's leader did, nothing it started may outlive
		// it: after a cancel, a compiler killed while loading from a busy
		// disk can take a moment to go, and Run must not return before.
		reapGroup(cmd.Process.Pid)
	}
	res := procResult{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: -1, Elapsed: time.Since(start)}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	slog.Debug("ran", "cmd", c.Path, "args", c.Args, "dir", c.Dir, "exit", res.ExitCode, "elapsed", res.Elapsed)
	if ctx.Err() != nil {
		return res, fmt.Errorf("%s stopped after %s: %w", c.Path, res.Elapsed.Round(time.Millisecond), context.Cause(ctx))
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("cannot run %s: %w", c.Path, err)
	}
	return res, nil
}

// reapWait bounds how long reapGroup waits for a killed group to be gone.
const reapWait = 10 * time.Second

// reapGroup kills what is left of process group pgid and waits until the
// kernel reports the group empty (every member exited and was reaped).
func reapGroup(pgid int) {
	deadline := time.Now().Add(reapWait)
	for {
		if err := syscall.Kill(-pgid, syscall.SIGKILL); errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			slog.Warn("processes of a cancelled build are still exiting", "pgid", pgid)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// shellLine renders c as a command a person can paste into a shell, with the
// environment variables that differ from ours, which is what V=1 promises.
func shellLine(c command) string {
	var b strings.Builder
	if c.Dir != "" {
		b.WriteString("cd " + shellQuote(c.Dir) + " && ")
	}
	if c.Env != nil {
		ours := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			ours[k] = v
		}
		var set []string
		for _, kv := range c.Env {
			k, v, _ := strings.Cut(kv, "=")
			if old, ok := ours[k]; !ok || old != v {
				set = append(set, shellQuote(kv))
			}
		}
		if len(set) > 0 {
			b.WriteString("env " + strings.Join(set, " ") + " ")
		}
	}
	b.WriteString(shellQuote(c.Path))
	for _, a := range c.Args {
		b.WriteString(" " + shellQuote(a))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell, leaving plain words alone so that
// printed commands stay readable.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./=:,+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// environ is os.Environ with overrides applied and an outer make's control
// variables removed: a jobserver Go did not pass on, or an outer make's
// command-line variables, must not leak into the make we run.
func environ(set map[string]string, drop ...string) []string {
	skip := map[string]bool{
		"MAKEFLAGS": true, "MFLAGS": true, "GNUMAKEFLAGS": true, "MAKELEVEL": true,
		"MAKEOVERRIDES": true, "MAKEFILES": true,
	}
	for _, d := range drop {
		skip[d] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := set[k]; over || skip[k] {
			continue
		}
		env = append(env, kv)
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+set[k])
	}
	return env
}

// tail returns the last n lines of out, for errors that quote a tool.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
