package bindings

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// runTool runs name with args in its own process group, so cancelling ctx kills
// the compiler together with whatever it started (cc1, as), and returns
// stdout. A failure carries the command and the tail of its stderr.
func runTool(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	cmd.Env = append(cmd.Environ(), "LC_ALL=C")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	slog.Debug("ran", "cmd", name, "args", len(args), "elapsed", time.Since(start), "err", err)
	if err == nil {
		return stdout.Bytes(), nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s stopped: %w", name, context.Cause(ctx))
	}
	var notFound *exec.Error
	if errors.As(err, &notFound) {
		return nil, fmt.Errorf("cannot run %s: %w (install it: apt-get install %s)", name, err, debianPackage(name))
	}
	return stdout.Bytes(), fmt.Errorf("%s failed: %w\n%s", name, err, lastLines(stderr.String(), 20))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// debianPackage names the package that provides a tool we run.
func debianPackage(tool string) string {
	switch {
	case strings.HasPrefix(tool, "gcc"), tool == "cc":
		return "gcc"
	case tool == "bindgen":
		return "bindgen libclang1-14"
	}
	return tool
}
