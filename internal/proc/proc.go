// Package proc runs the tools rustko drives (make, gcc, rustc, bindgen,
// QEMU) the one way they are all run: in a process group of their own,
// killed as a group when the context ends, so that a cancelled build or
// load leaves no compiler behind; with their output captured (and copied to
// a writer as it arrives when the caller asks); and with the Debian package
// to install when the tool is missing.
package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Cmd is one process to run.
type Cmd struct {
	Name string // a path, or a name looked up on PATH
	Args []string
	Dir  string
	Env  []string // the whole environment; nil inherits this process's
	// Stdin is the process's input; nil is the null device.
	Stdin io.Reader
	// Stdout and Stderr, when set, also get the output as it arrives
	// (build's V=1); the Result holds all of it either way.
	Stdout, Stderr io.Writer
	// DiscardStdout sends stdout to the null device, not captured: a
	// benchmark's tool whose large output nobody reads.
	DiscardStdout bool
	// Hint replaces the advice for a missing tool, which is otherwise
	// "install it: apt-get install <package>".
	Hint string
}

// Result is what a finished process left behind.
type Result struct {
	Stdout, Stderr []byte
	ExitCode       int // -1 when the process did not exit normally
	Elapsed        time.Duration
	// Usage is the process's resource use (CPU time, peak RSS), nil when it
	// did not run.
	Usage *syscall.Rusage
}

// waitDelay bounds how long Wait waits for the output pipes once the
// process is gone: a grandchild that escaped the group and holds them must
// not hang the caller.
const waitDelay = 2 * time.Second

// Run runs c and waits for it and for everything it started. The error is
// nil for exit status 0; an *exec.ExitError for another status, with the
// output in the Result; "<name> stopped after <time>: <cause>" when ctx
// ended first; a *MissingError when the tool is not installed.
func Run(ctx context.Context, c Cmd) (Result, error) {
	res := Result{ExitCode: -1}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("%s not started: %w", c.Name, context.Cause(ctx))
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Dir, cmd.Env, cmd.Stdin = c.Dir, c.Env, c.Stdin
	Group(cmd, waitDelay)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if c.Stdout != nil {
		cmd.Stdout = io.MultiWriter(&stdout, c.Stdout)
	}
	if c.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, c.Stderr)
	}
	if c.DiscardStdout {
		cmd.Stdout = nil
	}
	err := cmd.Run()
	if cmd.Process != nil {
		// Whatever the group's leader did, nothing it started may outlive
		// it: a compiler killed while loading from a busy disk can take a
		// moment to go, and Run must not return before.
		reapGroup(cmd.Process.Pid)
	}
	res.Stdout, res.Stderr, res.Elapsed = stdout.Bytes(), stderr.Bytes(), time.Since(start)
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
		res.Usage, _ = cmd.ProcessState.SysUsage().(*syscall.Rusage)
	}
	slog.Debug("ran", "cmd", c.Name, "args", c.Args, "dir", c.Dir, "exit", res.ExitCode, "elapsed", res.Elapsed, "err", err)
	switch {
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return res, fmt.Errorf("%s stopped after %s: %w", c.Name, res.Elapsed.Round(time.Millisecond), context.Cause(ctx))
	case cmd.ProcessState != nil:
		return res, err // *exec.ExitError, or the pipes outlived WaitDelay
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist):
		// With a process group asked for, os.StartProcess no longer tells
		// a missing Dir from a missing tool: both are ENOENT from exec.
		if _, serr := os.Stat(c.Dir); c.Dir != "" && serr != nil {
			return res, fmt.Errorf("cannot run %s: %w", c.Name, serr)
		}
		return res, &MissingError{Name: c.Name, Hint: c.Hint, Err: err}
	}
	return res, fmt.Errorf("cannot run %s: %w", c.Name, err)
}

// MissingError is a tool that is not installed (or not where RUST_ROOT or
// another setting said). It unwraps to exec.ErrNotFound or fs.ErrNotExist.
type MissingError struct {
	Name string
	Hint string // what to do instead of the default install line
	Err  error
}

func (e *MissingError) Error() string {
	hint := e.Hint
	if hint == "" {
		hint = "install it: apt-get install " + Package(e.Name)
	}
	return fmt.Sprintf("cannot run %s: %v (%s)", e.Name, e.Err, hint)
}

func (e *MissingError) Unwrap() error { return e.Err }

// Package names the Debian packages that provide a tool rustko runs.
func Package(tool string) string {
	base := tool[strings.LastIndexByte(tool, '/')+1:]
	switch {
	case base == "cc" || strings.HasPrefix(base, "gcc"):
		return "gcc"
	case base == "bindgen":
		return "bindgen libclang1-14"
	case base == "rustc":
		return "rustc rust-src"
	case base == "qemu-system-x86_64":
		return "qemu-system-x86"
	case base == "strip":
		return "binutils"
	}
	return base
}

// Group makes cmd start in a process group of its own and, when cmd's
// context ends, kill the whole group (a negative pid addresses it), then
// wait at most delay for the output pipes. It is for callers that hold the
// exec.Cmd themselves, such as QEMU writing its console to a file; Run
// uses it for everything else.
func Group(cmd *exec.Cmd, delay time.Duration) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = delay
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
			slog.Warn("processes of a finished tool are still exiting", "pgid", pgid)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ShellQuote quotes s for a POSIX shell, leaving plain words alone so that
// printed commands stay readable.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
