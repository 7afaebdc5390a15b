package module

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"syscall"
	"time"
)

// procResult is what a finished child process left behind.
type procResult struct {
	Stdout, Stderr []byte
	Elapsed        time.Duration
}

// runGroup runs name with args in dir, in its own process group, so that
// cancelling ctx kills make together with every compiler it started rather
// than leaving orphans that keep the CPU busy.
func runGroup(ctx context.Context, dir string, env []string, name string, args ...string) (procResult, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// A negative pid addresses the whole group.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	// Grandchildren that inherited the pipes must not keep Wait blocked.
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	res := procResult{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Elapsed: time.Since(start)}
	slog.Debug("ran", "cmd", name, "args", args, "dir", dir, "elapsed", res.Elapsed, "err", err)
	if err != nil && ctx.Err() != nil {
		return res, fmt.Errorf("%s stopped after %s: %w", name, res.Elapsed.Round(time.Millisecond), context.Cause(ctx))
	}
	var notFound *exec.Error
	if errors.As(err, &notFound) {
		return res, fmt.Errorf("cannot run %s: %w (install it: apt-get install %s)", name, err, packageFor(name))
	}
	return res, err
}

// packageFor names the Debian package that provides a tool we run.
func packageFor(tool string) string {
	switch tool {
	case "make":
		return "make"
	case "gcc", "cc":
		return "gcc"
	}
	return tool
}
